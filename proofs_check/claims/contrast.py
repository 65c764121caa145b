"""Contrast claims: properties the paper says FAIL in the mildly over-parameterized case.

Zhou, Ge, Jin (COLT 2021), Section 4 (p.7-8) and Claim 2: with two students on one teacher
the loss is Theta(delta^3) along a path from a global minimum, so the Hessian there is
degenerate and neither the PL inequality (Lojasiewicz alpha = 1/2, as in Liu, Zhu,
Belkin's PL*) nor local strong convexity holds.  Both are existential ("for some
mu > 0"), so no configuration refutes them: the suite shows what it can, with its evidence
(``contradicted``, empirical): the fitted exponent of ``||grad L||^2`` in ``L`` lies above 1 (so
the ratio to ``L`` tends to 0), and the Hessian has certified negative curvature at every
sampled level down to 1e-10 on paths that converge to global minima.
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import flint
from flint import arb

from numeric.precise import evaluate
from proofs_check.claims.base import Claim, Observation, as_ball, base_verdict
from proofs_check.claims.quantities import loss_and_gradient_norm
from proofs_check.claims.sampling import (LevelSettings, WorstCaseLevelSettings, observe_levels,
                                          observe_minimisers)
from proofs_check.judgement import FitSettings, decide_witness_levels, PaperStatement
from proofs_check.papers import Paper

__all__ = ["CLAIMS", "PAPER"]

PAPER = Paper(
    id="contrast",
    title="Contrasts between the regimes",
    authors=(),
    venue="",
    year=2021,
    bibtex="",
    model=None,
    package=__name__,
    template=Path(__file__).with_name("contrast.tex.j2"),
    cites=("zgj", "lzb", "du"),
    summary="Properties one paper proves in its regime and another says fail in the mildly "
            "over-parameterized teacher-student regime.",
)


def _pl_at(claim, config, dps):
    L, gnorm = loss_and_gradient_norm(config, dps)
    return Observation(lhs=gnorm * gnorm, rhs=claim.bound(L), scale=L, dps=dps)


def _pl_judge_with_figure(claim, obs):
    """The default judgement, plus the worst ``||grad L||^2 / L`` at each loss level: the
    teacher-student half of the PL* figure (its wide-network half is ``lzb.wide_pl``)."""
    from numeric.precision import decimal_string
    from proofs_check.claims.base import judge

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
    worst = min(obs, key=lambda o: float(o.lhs.mid()))
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
    observe=observe_levels,
    at=_strong_convexity_at,
    judge=_judge_no_positive_curvature,
    constant=Fraction(0),
    default_samples=12,
    settings=LevelSettings(families=("claim2", "random", "claim2"), levels=(1e-4, 1e-6, 1e-8, 1e-10),
                           shapes=((1, 2, 2), (2, 3, 2))),
    paper_constant=r"$\mu>0$ (any; shown: curvature certainly $<0$ at every level)",
)

CLAIMS = (PL, STRONG_CONVEXITY)
