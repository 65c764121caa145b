"""Lemma C.7 (first part), Zhou, Ge, Jin (COLT 2021), App. C, p.37: for a unit ``alpha``::

    sqrt(2/pi) delta e^{-delta^2/2} <= Pr[|alpha.x| <= delta] <= sqrt(2/pi) delta.

``alpha.x ~ N(0, 1)``, so ``Pr[|alpha.x| <= delta] = erf(delta / sqrt 2)`` exactly (a
certified arb ball).  Both sides are checked as one ``>=`` claim: each ``delta`` gives a
lower-bound observation (lhs = Pr, rhs = the lower bound) and an upper-bound observation
(lhs = the upper bound, rhs = Pr).  The constants are the paper's, so every observation is
judged against them.  The relative margins vanish like ``delta^2/6`` (upper) and
``delta^2/3`` (lower) as ``delta -> 0``, so the balls are computed at 50 digits.

Not covered here: the second part of Lemma C.7 (the slab-intersection probability
``Pr[A]``).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from flint import arb, ctx

from proofs_check.claim import Claim
from proofs_check.verdict import Observation, as_ball
from proofs_check.claim_judgement import judge_each
from proofs_check.judgement import PaperStatement

__all__ = ["CLAIMS", "slab_probability"]

DPS = 50
DEFAULT_DELTAS = tuple(Fraction(1, 10**k) for k in range(1, 9)) + tuple(
    Fraction(k, 4) for k in (1, 2, 3, 4, 6, 8, 12, 16, 24, 40))


@dataclass(frozen=True)
class SlabSettings:
    """The ``deltas`` checked and the factors put in front of the two printed bounds
    (``lower_gaussian_factor``: keep the ``e^{-delta^2/2}`` of the lower bound)."""

    deltas: tuple = DEFAULT_DELTAS
    lower_factor: Fraction = Fraction(1)
    upper_factor: Fraction = Fraction(1)
    lower_gaussian_factor: bool = True


def slab_probability(delta, dps: int = DPS) -> arb:
    """``Pr[|alpha.x| <= delta] = erf(delta/sqrt 2)`` for unit ``alpha``, ``x ~ N(0, I)``.

    >>> round(float(slab_probability(Fraction(1)).mid()), 12)  # the one-sigma rule
    0.682689492137
    """
    with ctx.workdps(dps):
        return +(as_ball(delta) / arb(2).sqrt()).erf()


def _observe(claim, request):
    p = claim.settings
    deltas = tuple(p.deltas)[: max(1, request.samples // 2)]
    lower_factor, upper_factor = as_ball(p.lower_factor), as_ball(p.upper_factor)
    for delta in deltas:
        with ctx.workdps(DPS):
            d = as_ball(delta)
            prob = slab_probability(delta, DPS)
            base = (2 / arb.pi()).sqrt() * d
            damp = (-d * d / 2).exp() if p.lower_gaussian_factor else arb(1)
            lower = lower_factor * base * damp
            upper = upper_factor * base
        yield Observation(lhs=prob, rhs=lower, scale=d, dps=DPS, group=("lower", delta),
                          witness={"params": {"delta": str(delta), "side": "lower",
                                              "probability": prob.str(15), "bound": lower.str(15)}})
        yield Observation(lhs=upper, rhs=prob, scale=d, dps=DPS, group=("upper", delta),
                          witness={"params": {"delta": str(delta), "side": "upper",
                                              "probability": prob.str(15), "bound": upper.str(15)}})
        request.tick()


def _judge(claim, obs):
    # The relative margins are ~delta^2 (1e-17 at delta = 1e-8): judge_each forms them at
    # the observations' precision, not at the ambient 53 bits.
    v = judge_each(claim, obs)
    return v.amended(notes=(
        "constants sqrt(2/pi) as printed; Pr = erf(delta/sqrt 2) exactly; each delta gives a "
        "lower and an upper observation (witness 'side'); margins are relative and vanish "
        "like delta^2/3 (lower) and delta^2/6 (upper) as delta -> 0"))


LEMMA_C7 = Claim(
    id="zgj.lemmaC7",
    title="Gaussian slab probability: two-sided bound",
    source="Zhou, Ge, Jin (COLT 2021), Lemma C.7 (first part), p.37",
    statement=r"\sqrt{2/\pi}\,\delta_1e^{-\delta_1^2/2}\le\Pr[|\alpha^\top x|\le\delta_1]\le\sqrt{2/\pi}\,\delta_1",
    hypotheses=r"$\|\alpha\|=1$, $x\sim N(0,I_d)$, $\delta_1>0$",
    lhs=r"\Pr[|\alpha^\top x|\le\delta_1]=\mathrm{erf}(\delta_1/\sqrt2)",
    rhs=r"\sqrt{2/\pi}\,\delta_1e^{-\delta_1^2/2}\ \text{(lower)},\ \sqrt{2/\pi}\,\delta_1\ \text{(upper)}",
    relation=">=",
    expected="checked",
    kind="checked",
    paper=PaperStatement("holds", "constant sqrt(2/pi) both sides"),
    drawn_from="delta = 10^-1 ... 10^-8 and 1/4 ... 10, each side",
    observe=_observe,
    judge=_judge,
    constant=Fraction(1),
    default_samples=2 * len(DEFAULT_DELTAS),
    settings=SlabSettings(),
    paper_constant=r"$\sqrt{2/\pi}$ on both sides (explicit)",
)

CLAIMS = (LEMMA_C7,)
