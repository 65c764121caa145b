"""Contrast claims: properties the paper says FAIL in the mildly over-parameterized case.

Zhou, Ge, Jin (COLT 2021), Section 4 (p.7-8) and Claim 2: with two students on one teacher
the loss is Theta(delta^3) along a path from a global minimum, so the Hessian there is
degenerate and neither the PL inequality (Lojasiewicz alpha = 1/2, as in Liu, Zhu,
Belkin's PL*) nor local strong convexity holds.  These claims are expected ``violated``;
the suite must refute them with a concrete configuration.
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from flint import arb

from numeric.precise import evaluate
from proofs_check.claims.base import Claim, Observation, as_ball
from proofs_check.claims.quantities import loss_and_gradient_norm
from proofs_check.claims.sampling import DEEP_LEVELS, observe_levels
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
    mu = as_ball(claim.constant if claim.constant is not None else 1)
    return Observation(lhs=gnorm * gnorm, rhs=mu * L, scale=L, dps=dps)


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
    expected="violated",
    observe=observe_levels,
    at=_pl_at,
    judge=_pl_judge_with_figure,
    paper_exponent=Fraction(1),
    default_samples=75,
    params={"levels": DEEP_LEVELS, "families": ("claim2", "random", "claim2", "stray"),
            "shapes": ((1, 2, 2), (2, 4, 3), (3, 6, 4))},
    paper_constant=r"$\mu>0$ (any)",
)


def _strong_convexity_at(claim, config, dps):
    import mpmath

    e = evaluate(config, dps, backend="mpmath", gradient=True, hessian=True)
    with mpmath.workdps(dps):
        H = mpmath.matrix([[x for x in row] for row in e.hessian])
        eig = mpmath.eigsy(H, eigvals_only=True)
        lam = min(eig)
        # Error estimate: backward error of the symmetric eigensolver ~ 10^-(dps-5) ||H||.
        err = mpmath.mpf(10) ** (5 - dps) * mpmath.mnorm(H, 1)
    lam_ball = arb(mpmath.nstr(lam, dps), mpmath.nstr(err, 5))
    mu = as_ball(claim.constant if claim.constant is not None else 1)
    return Observation(lhs=lam_ball, rhs=mu, scale=e.loss, dps=dps)


STRONG_CONVEXITY = Claim(
    id="contrast.strong_convexity",
    title="Local strong convexity near the minima",
    source="Zhou, Ge, Jin (COLT 2021), Sec. 4 and Claim 2, p.7-8 (the paper says it fails)",
    statement=r"\lambda_{\min}\big(\nabla^2 L(W)\big) \ge \mu > 0\quad\text{for all }W\text{ near a global minimum}",
    hypotheses=r"as Theorem 4; $m > r$",
    lhs=r"\lambda_{\min}(\nabla^2 L(W))",
    rhs=r"\mu",
    relation=">=",
    expected="violated",
    observe=observe_levels,
    at=_strong_convexity_at,
    constant=Fraction(1, 1000),
    default_samples=8,
    params={"families": ("claim2", "random"), "levels": (1e-4, 1e-6, 1e-8, 1e-10),
            "shapes": ((1, 2, 2), (2, 3, 2))},
    paper_constant=r"$\mu>0$ (any; checked with $\mu=10^{-3}$)",
)

CLAIMS = (PL, STRONG_CONVEXITY)
