"""Theorem 4 (Gradient Lower Bound), Zhou, Ge, Jin (COLT 2021), p.6.

Under Assumptions 1 (Delta-separated teachers) and 2 (``w_min <= ||w*_i|| <= w_max``)
there is ``eps0 = poly(Delta, 1/r, 1/w_max, w_min)`` such that for every ``W`` with
``L(W) <= eps0``

    ||grad_W L(W)||_F >= kappa L(W),   kappa = Theta(r^{-1/2} w_max^{-1/2}),

a Lojasiewicz inequality with exponent alpha = 1 (footnote 3).  ``kappa`` is hidden in
Theta, so the checker judges the shape: the worst-case ``||grad L||_F`` per loss level
must decay no faster than ``L^1``; the best ``kappa`` seen is reported.  With ``constant``
set (e.g. ``CLAIMS[0].variant(constant=...)``) every sample is tested against it.
"""
from __future__ import annotations

from fractions import Fraction

import dataclasses

from numeric.precision import decimal_string
from proofs_check.claims.base import Claim, Observation, judge
from proofs_check.claims.quantities import loss_and_gradient_norm
from proofs_check.claims.sampling import DEEP_LEVELS, LevelSettings, observe_levels

__all__ = ["CLAIMS", "gradient_lower_bound_at"]


def gradient_lower_bound_at(claim, config, dps):
    L, gnorm = loss_and_gradient_norm(config, dps)
    return Observation(lhs=gnorm, rhs=claim.bound(L), scale=L, dps=dps)


def judge_with_figure(claim, obs):
    """The default judgement, plus the worst-case ||grad L|| against L for the report."""
    verdict = judge(claim, obs)
    worst = {}
    for o in obs:
        ratio = o.lhs / o.scale
        if o.group not in worst or ratio < worst[o.group][0]:
            worst[o.group] = (ratio, o)
    pts = sorted(((o.scale, o.lhs) for _, o in worst.values()), key=lambda t: float(t[0].mid()))
    figure = {"gradient_vs_loss": {
        "loss": [decimal_string(L, 12) for L, _ in pts],
        "grad_norm": [decimal_string(g, 12) for _, g in pts],
        "fitted_exponent": None if verdict.estimate is None or verdict.estimate.exponent is None
        else f"{verdict.estimate.exponent:.6f}",
    }}
    return dataclasses.replace(verdict, figures=figure)


THM4 = Claim(
    id="zgj.thm4",
    title="Gradient lower bound (Lojasiewicz, alpha = 1)",
    source="Zhou, Ge, Jin (COLT 2021), Theorem 4, p.6",
    statement=r"\|\nabla_W L(W)\|_F \ge \kappa\, L(W) \quad\text{for all } W \text{ with } L(W)\le\epsilon_0,"
              r"\ \kappa=\Theta(r^{-1/2}w_{\max}^{-1/2})",
    hypotheses=r"Assumption 1 ($\Delta$-separated teachers), Assumption 2 ($w_{\min}\le\|w_i^*\|\le w_{\max}$), $m\ge r$, $L(W)\le\epsilon_0$",
    lhs=r"\|\nabla_W L(W)\|_F",
    rhs=r"L(W)",
    relation=">=",
    expected="consistent",
    observe=observe_levels,
    at=gradient_lower_bound_at,
    judge=judge_with_figure,
    paper_exponent=Fraction(1),
    default_samples=75,
    settings=LevelSettings(levels=DEEP_LEVELS),
    paper_constant=r"$\kappa=\Theta(r^{-1/2}w_{\max}^{-1/2})$ (hidden)",
)

CLAIMS = (THM4,)
