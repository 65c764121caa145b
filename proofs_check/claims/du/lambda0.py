"""Du et al., Theorem 3.1: ``lambda0 = lambda_min(H_inf) > 0`` when no two inputs are
parallel, certified on balls; and its contrast: no bound uniform over data sets.

``du.lambda0``: for each sampled data set, ``lambda_min`` is enclosed rigorously
(:func:`numeric.spectrum.min_eigenvalue_enclosure`: a ball Cholesky below, a Rayleigh
quotient above) from ``H_inf`` on balls built from the exact points; the claim holds when
every enclosure is certainly positive.

``du.lambda0.parallel``: "``lambda0 >= mu`` for one ``mu > 0`` and all data sets without
parallel inputs" is what Theorem 3.1 does *not* say.  Two inputs at angle ``theta`` make
the 2x2 block ``[[1/2, h], [h, 1/2]]`` with ``h = cos(theta)(pi - theta)/(2 pi)``, whose
smaller eigenvalue is ``theta/(2 pi) + O(theta^2)``, and ``lambda0`` is at most that
(interlacing).  So ``lambda0 -> 0`` as ``theta_min -> 0``: the fitted exponent of
``lambda0`` in ``theta_min`` is 1, not 0.  That is evidence about an infimum over data
sets (a trend), not a refutation by one data set.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import reduce

from flint import arb

from numeric.dataset import DataSet
from numeric.finite_width import gram_limit_balls, unit_points_balls
from numeric.spectrum import min_eigenvalue_enclosure
from proofs_check.claim import Claim
from proofs_check.verdict import Observation, as_ball
from proofs_check.judgement import PaperStatement
from proofs_check.models.relu_on_data.datasets import nearly_parallel_dataset, sphere_dataset

__all__ = ["CLAIMS", "AngleSettings", "smallest_angle", "lambda0_enclosure"]

ANGLES = tuple(10.0 ** -k for k in range(1, 9))


@dataclass(frozen=True)
class AngleSettings:
    """Data sets of ``n`` points in ``R^d``: generic ones, and ones whose two first points are
    at each of the ``angles``."""

    n: int = 6
    d: int = 3
    angles: tuple = ANGLES


def smallest_angle(data: DataSet):
    """The smallest angle between two inputs, as a ball (``atan2(|x - y|, |x + y|)`` halves)."""
    X = unit_points_balls(data)
    angles = []
    for i in range(len(X)):
        for j in range(i):
            diff = sum(((p - q) ** 2 for p, q in zip(X[i], X[j])), arb(0)).nonnegative_part().sqrt()
            plus = sum(((p + q) ** 2 for p, q in zip(X[i], X[j])), arb(0)).nonnegative_part().sqrt()
            angles.append(2 * arb.atan2(diff, plus))
    return reduce(lambda a, b: a.min(b), angles)


def lambda0_enclosure(data: DataSet):
    """``lambda_min(H_inf)`` as a certified ball (call inside ``flint.ctx.workdps``)."""
    return min_eigenvalue_enclosure(gram_limit_balls(data))


def _at(claim, data, dps):
    lam = lambda0_enclosure(data)
    theta = smallest_angle(data)
    # The paper's claim is rhs = 0 (constant 0); a planted twin (or `search --constant C`)
    # asks lambda0 >= C theta_min / (2 pi).
    if claim.paper_exponent is None:
        rhs = as_ball(claim.constant) * theta / (2 * arb.pi())
    else:
        rhs = claim.bound(theta)
    return Observation(lhs=lam, rhs=rhs, scale=theta, dps=dps,
                       witness={"data_set": data.to_dict(digits=20)})


def _observe(claim, request):
    rng = request.rng(claim.id)
    n, d, angles = claim.settings.n, claim.settings.d, tuple(claim.settings.angles)
    per_angle = max(1, request.samples // (len(angles) + 1))
    for _ in range(per_angle):  # generic data sets first
        yield claim.observe_at(sphere_dataset(rng, n, d), 30)
        request.tick()
    for angle in angles:
        for _ in range(per_angle):
            obs = claim.observe_at(nearly_parallel_dataset(rng, n, d, angle), 30)
            yield Observation(lhs=obs.lhs, rhs=obs.rhs, scale=obs.scale, dps=obs.dps,
                              witness={**obs.witness, "angle": f"{angle:.0e}"}, group=angle)
            request.tick()


def _figure(verdict, claim, obs):
    points = [{"theta_min": float(o.scale.mid()), "lambda0": float(o.lhs.mid()),
               "lambda0_rad": float(o.lhs.rad())} for o in obs]
    return verdict.amended(figures={claim.id: {
        "kind": "scatter", "x": "theta_min", "y": "lambda0", "log": True,
        "reference": "theta_min / (2 pi)", "points": points}})


def _judge_with_figure(claim, obs):
    from proofs_check.claim_judgement import judge

    return _figure(judge(claim, obs), claim, obs)


LAMBDA0 = Claim(
    id="du.lambda0",
    title="lambda0 = lambda_min(H_inf) > 0 without parallel inputs (checked on balls)",
    source="Du, Zhai, Poczos, Singh (ICLR 2019; arXiv:1810.02054), Theorem 3.1 (numbered as secondary sources quote it; page not verified)",
    statement=r"\lambda_0=\lambda_{\min}(H^\infty)>0\quad\text{if }x_i\not\parallel x_j\text{ for all }i\ne j",
    hypotheses=r"$\|x_i\|=1$, no two inputs parallel; $n=6$, $d=3$, random and nearly parallel pairs "
               r"($\theta_{\min}=10^{-1},\dots,10^{-8}$)",
    lhs=r"\lambda_{\min}(H^\infty)",
    rhs=r"C\,\theta_{\min}/(2\pi),\ C=0",
    relation=">=",
    expected="checked",
    kind="checked",
    paper=PaperStatement("holds", "lambda0 > 0 without parallel inputs"),
    drawn_from="data sets of n = 6 unit points in d = 3: generic ones and ones with a pair at angle 1e-1 ... 1e-8",
    observe=_observe,
    at=_at,
    judge=_judge_with_figure,
    constant=0,
    default_samples=18,
    settings=AngleSettings(),
    paper_constant=r"$>0$ (constant $C=0$ in $\lambda_0\ge C\theta_{\min}/(2\pi)$)",
)

UNIFORM = Claim(
    id="du.lambda0.parallel",
    title="A data-independent lower bound on lambda0 (contrast: none exists)",
    source="Du, Zhai, Poczos, Singh (ICLR 2019; arXiv:1810.02054), Theorem 3.1 (its bound depends on the data; numbered as secondary sources quote it; page not verified)",
    statement=r"\exists\,\mu>0:\ \lambda_{\min}(H^\infty)\ge\mu\ \text{for all data sets with no two inputs parallel}",
    hypotheses=r"$\|x_i\|=1$; nearly parallel pairs at $\theta_{\min}=10^{-1},\dots,10^{-8}$",
    lhs=r"\lambda_{\min}(H^\infty)",
    rhs=r"\theta_{\min}^0",
    relation=">=",
    expected="contradicted",
    kind="empirical",
    paper=PaperStatement("silent", "its bound depends on the data"),
    observe=_observe,
    at=_at,
    judge=_judge_with_figure,
    paper_exponent=Fraction(0),
    default_samples=18,
    settings=AngleSettings(),
    paper_constant=r"$\mu>0$ (any)",
)

CLAIMS = (LAMBDA0, UNIFORM)
