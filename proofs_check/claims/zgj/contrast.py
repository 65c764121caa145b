"""Contrast claims: properties the paper says FAIL in the mildly over-parameterized case.

Their ids start with ``contrast.``: the part :data:`proofs_check.claims.zgj.CONTRAST` of
the Zhou-Ge-Jin paper, with its own report section.

Zhou, Ge, Jin (COLT 2021), Section 4 (p.7-8) and Claim 2: with two students on one teacher
the loss is Theta(delta^3) along a path from a global minimum, so the Hessian there is
degenerate and neither the PL inequality (Lojasiewicz alpha = 1/2, as in Liu, Zhu,
Belkin's PL*) nor local strong convexity holds.  Both are existential ("for some
mu > 0"), so no configuration refutes them: the suite shows what it can, with its evidence
(``contradicted``, empirical): the fitted exponent of ``||grad L||^2`` in ``L`` lies above 1 (so
the ratio to ``L`` tends to 0), and the Hessian has certified negative curvature at every
level down to 1e-10.

The negative curvature is *searched for*, not sampled (:func:`curvature_minimisers`): on each
level set ``{L = level}`` the smallest eigenvalue of the Hessian is minimised (projected
descent of :func:`numeric.level_set.minimise_on_level` on the float64 Hessian) from every
sampler family at the top level, continued level by level down the ladder with a fresh
Claim 2 start at every level; the minimiser is then placed on the level at high precision
and its Rayleigh quotient is enclosed on balls (:func:`rayleigh_upper_bound`).  Sampling a
few random points per level found it or not depending on the seed (``--seed 7`` missed it at
1e-8); the minimised curvature is negative at every level and every seed 0..9.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from fractions import Fraction

import flint
import mpmath
import numpy as np
from flint import arb

from numeric import float64 as f64
from numeric.level_set import (LevelSetSettings, digits_for_level, minimise_on_level, project_to_level,
                               rescale_to_level)
from numeric.precise import evaluate
from proofs_check.claim import Claim
from proofs_check.verdict import Observation, as_ball
from proofs_check.claim_judgement import base_verdict
from proofs_check.models.teacher_student.gradient_norm import loss_and_gradient_norm
from proofs_check.models.teacher_student.levels import LevelSettings, observe_levels
from proofs_check.claims.zgj.worst_cases import WorstCaseLevelSettings, observe_minimisers
from proofs_check.judgement import FitSettings, decide_witness_levels, PaperStatement
from proofs_check.models.teacher_student.samplers import separated_teachers

__all__ = ["CLAIMS", "CurvatureSettings", "rayleigh_upper_bound", "curvature_minimisers"]

def _pl_at(claim, config, dps):
    L, gnorm = loss_and_gradient_norm(config, dps)
    return Observation(lhs=gnorm * gnorm, rhs=claim.bound(L), scale=L, dps=dps)


def _pl_judge_with_figure(claim, obs):
    """The default judgement, plus the worst ``||grad L||^2 / L`` at each loss level: the
    teacher-student half of the PL* figure (its wide-network half is ``lzb.wide_pl``)."""
    from numeric.numbers import decimal_string
    from proofs_check.claim_judgement import judge

    verdict = judge(claim, obs)
    worst = {}
    for o in obs:
        ratio = o.lhs / o.scale
        if o.group not in worst or ratio < worst[o.group][0]:
            worst[o.group] = (ratio, o)
    pts = sorted(worst.values(), key=lambda t: float(t[1].scale.mid()))
    return verdict.amended(figures={"contrast.pl": {
        "kind": "pl_ratio_vs_loss", "companion": "lzb.wide_pl",
        "loss": [decimal_string(o.scale, 8) for _, o in pts],
        "pl_ratio": [decimal_string(r, 8) for r, _ in pts]}})


PL = Claim(
    id="contrast.pl",
    title="PL inequality near the minima (alpha = 1/2)",
    source="Zhou, Ge, Jin (COLT 2021), Sec. 4 and Claim 2, p.7-8 (the paper says it fails); "
           "PL* as in Liu, Zhu, Belkin (ACHA 2022)",
    statement=r"\|\nabla_W L(W)\|_F^2 \ge \mu\, L(W)\quad\text{for some }\mu>0\text{ and all }W\text{ with }L(W)\le\epsilon",
    hypotheses=r"as Theorem 4; $m > r$ (over-parameterized)",
    lhs=r"\|\nabla_W L(W)\|_F^2",
    rhs=r"L(W)",
    relation=">=",
    expected="contradicted",
    kind="empirical",
    paper=PaperStatement("fails", "PL fails near the minima (Sec. 4)"),
    # The worst configurations found by optimisation (shared with zgj.thm4 in one run):
    # ||grad L||^2 = C^2 L^(3/2) there.  With settings optimise = False the sampled
    # families (shapes, families) are observed instead.
    observe=observe_minimisers,
    at=_pl_at,
    judge=_pl_judge_with_figure,
    paper_exponent=Fraction(1),
    default_samples=26,
    settings=WorstCaseLevelSettings(families=("claim2", "random", "claim2", "stray"),
                                    shapes=((1, 2, 2), (2, 4, 3), (3, 6, 4))),
    fit=FitSettings(method="secant", window=8, resolution=0.02),
    paper_constant=r"$\mu>0$ (any)",
)


@dataclass(frozen=True)
class CurvatureSettings(LevelSettings):
    """Where negative curvature is searched for: loss ``levels``, network ``shapes``
    ``(r, m, d)`` (teachers drawn by seed with ``Delta``, ``w_min``, ``w_max``), the sampler
    ``families`` of the top level's starts, ``iterations`` of the level-set descent per start,
    and ``optimise = False`` to observe sampled points instead (the old, seed-dependent rule)."""

    optimise: bool = True
    iterations: int = 30


def _smallest_eigenvalue(teacher, rows) -> float:
    """``lambda_min`` of the float64 Hessian (the descent's objective only: it steers, the
    verdict is the Rayleigh quotient on balls)."""
    H = f64.hessian(teacher, np.array([[float(x) for x in row] for row in rows]))
    return float(np.linalg.eigvalsh(H)[0])


def _curvature_descent(teacher, W, level, iterations):
    """``(rows, lambda_min)``: a local minimiser of the smallest Hessian eigenvalue on
    ``{L = level}`` from ``W`` (moved to the level first), or ``None`` when the start does
    not reach the level."""
    try:
        W = rescale_to_level(teacher, W, level)
        res = minimise_on_level(lambda rows: _smallest_eigenvalue(teacher, rows), teacher, W, level,
                                LevelSetSettings(iterations=iterations))
    except (ValueError, np.linalg.LinAlgError):
        return None
    return res.student, float(res.objective)


@functools.lru_cache(maxsize=8)
def curvature_minimisers(settings: CurvatureSettings, seed: int) -> tuple:
    """``((shape, level, config, family, origin), ...)``: per shape and level (decreasing), the
    configuration on ``{L = level}`` (placed at ``digits_for_level`` digits) with the smallest
    ``lambda_min`` of the Hessian found from every family at the top level, then from the
    previous level's minimiser and a fresh Claim 2 start (whose split students carry the
    degenerate direction of Sec. 4) at every level below.  Deterministic in ``seed``."""
    from numeric.config import Configuration
    from proofs_check.models.teacher_student.worst_case_starts import sampled_starts
    from proofs_check.worst_case import WorstCaseSettings

    out = []
    for shape in settings.shapes:
        r, m, d = shape
        rng = np.random.default_rng([seed, r, m, d, 7])
        T = separated_teachers(rng, r, d, settings.Delta, settings.w_min, settings.w_max)
        previous = None
        for k, level in enumerate(sorted(settings.levels, reverse=True)):
            families = settings.families if k == 0 else tuple(f for f in ("claim2",) if m > r)
            starts = [(s.config.student, s.family, "sampler") for s in sampled_starts(
                T, m, level, WorstCaseSettings(starts_per_family=1, families=tuple(dict.fromkeys(families)),
                                               seed=seed), rng)]
            if previous is not None:
                starts.insert(0, (previous[0], previous[2], "continued"))
            best = None
            for rows, family, origin in starts:
                found = _curvature_descent(T, np.array([[float(x) for x in row] for row in rows]), level,
                                           settings.iterations)
                if found is not None and (best is None or found[1] < best[1]):
                    best = (found[0], found[1], family, origin)
            if best is None:
                continue
            ls = LevelSetSettings()
            exact = project_to_level(T, best[0], level, ls, dps=digits_for_level(level, ls.guard_digits))
            config = Configuration(T.tolist(), [list(row) for row in exact])
            previous = (np.array([[float(x) for x in row] for row in exact]), best[1], best[2])
            out.append((shape, level, config, best[2], best[3]))
    return tuple(out)


def observe_curvature_minimisers(claim, request):
    """Observations at :func:`curvature_minimisers` (``settings.optimise``), else at sampled
    points (:func:`proofs_check.models.teacher_student.levels.observe_levels`)."""
    p = claim.settings
    if not getattr(p, "optimise", False):
        yield from observe_levels(claim, request)
        return
    for shape, level, config, family, origin in curvature_minimisers(p, request.seed):
        dps = digits_for_level(level)
        obs = claim.observe_at(config, dps)
        request.tick()
        yield Observation(lhs=obs.lhs, rhs=obs.rhs, scale=obs.scale, dps=dps, group=level,
                          witness={"config": config.to_dict(), "level": mpmath.nstr(level, 3),
                                   "family": family, "origin": origin, "shape": list(shape)})


def rayleigh_upper_bound(config, dps):
    """A certified upper bound on ``lambda_min`` of the Hessian: the Rayleigh quotient
    ``v^T H v / v^T v`` on the arb Hessian, with ``v`` the (float) eigenvector of the smallest
    eigenvalue of its midpoint.  Any ``v`` gives an upper bound, so the ball is rigorous even
    though ``v`` is only approximate."""
    import mpmath

    e = evaluate(config, dps, backend="arb", gradient=False, hessian=True)
    with mpmath.workdps(dps):
        H_mid = mpmath.matrix([[mpmath.mpf(x.mid().str(dps + 5, radius=False)) for x in row] for row in e.hessian])
        eig, vecs = mpmath.eigsy(H_mid)
        k = min(range(len(eig)), key=lambda i: eig[i])
        v = [vecs[i, k] for i in range(len(eig))]
    with flint.ctx.workdps(dps):
        vb = [arb(mpmath.nstr(x, dps)) for x in v]
        Hv = [sum((h * x for h, x in zip(row, vb)), arb(0)) for row in e.hessian]
        q = sum((a * b for a, b in zip(vb, Hv)), arb(0)) / sum((x * x for x in vb), arb(0))
    return q, e.loss


def _strong_convexity_at(claim, config, dps):
    q, L = rayleigh_upper_bound(config, dps)
    mu = as_ball(claim.constant if claim.constant is not None else 0)
    return Observation(lhs=q, rhs=mu, scale=L, dps=dps)


def _judge_no_positive_curvature(claim, obs):
    """The claim "lambda_min >= mu > 0 on {L <= eps} for some mu, eps" is existential: no finite
    set of points refutes it.  What is shown: at each level, whether a point of the sublevel set
    has a Rayleigh quotient certainly below ``mu`` (0 by default: certified negative curvature).
    ``contradicted`` (empirical) when it holds at the two smallest levels (points converging to
    global minima along Claim 2's paths: the infimum over every sublevel set tested is below
    ``mu``); ``consistent`` when no level shows it."""
    levels = {}
    for o in obs:
        levels.setdefault(o.group, []).append(o)
    below = {g: [o for o in group if o.lhs < o.rhs] for g, group in levels.items()}
    smallest = {g: min(group, key=lambda o: float(o.lhs.mid())) for g, group in levels.items()}
    # The witness: the most negative quotient at the smallest level (nearest the minima).
    worst = smallest[min(levels)]
    decision = decide_witness_levels(
        {g: bool(b) for g, b in below.items()}, sorted(levels)[:2], margin=worst.lhs - worst.rhs,
        error=worst.lhs.rad(),
        what=(f"(L down to {min(levels):.0e}) a point has a Rayleigh quotient v^T H v / v^T v certainly "
              f"below mu = {claim.constant} (balls); smallest per level: "
              + ", ".join(f"{g:.0e}: {smallest[g].lhs.mid().str(4, radius=False)}"
                          for g in sorted(levels, reverse=True))))
    return base_verdict(claim, obs, decision, worst=worst.witness,
                        counterexample=worst.witness if decision.status == "contradicted" else None,
                        notes="each quotient is a certified upper bound on lambda_min at its point")


STRONG_CONVEXITY = Claim(
    id="contrast.strong_convexity",
    title="Local strong convexity near the minima",
    source="Zhou, Ge, Jin (COLT 2021), Sec. 4 and Claim 2, p.7-8 (the paper says it fails)",
    statement=r"\lambda_{\min}\big(\nabla^2 L(W)\big) \ge \mu > 0\quad\text{for all }W\text{ near a global minimum}",
    hypotheses=r"as Theorem 4; $m > r$",
    lhs=r"\lambda_{\min}(\nabla^2 L(W))",
    rhs=r"\mu",
    relation=">=",
    expected="contradicted",
    kind="empirical",
    paper=PaperStatement("fails", "fails near the minima (Sec. 4)"),
    observe=observe_curvature_minimisers,
    at=_strong_convexity_at,
    judge=_judge_no_positive_curvature,
    constant=Fraction(0),
    default_samples=8,
    settings=CurvatureSettings(families=("claim2", "random", "split", "stray"),
                               levels=(1e-4, 1e-6, 1e-8, 1e-10), shapes=((1, 2, 2), (2, 3, 2))),
    paper_constant=r"$\mu>0$ (any; shown: curvature certainly $<0$ at every level)",
)

CLAIMS = (PL, STRONG_CONVEXITY)
