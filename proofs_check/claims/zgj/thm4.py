"""Theorem 4 (Gradient Lower Bound), Zhou, Ge, Jin (COLT 2021), p.6.

Under Assumptions 1 (Delta-separated teachers) and 2 (``w_min <= ||w*_i|| <= w_max``)
there is ``eps0 = poly(Delta, 1/r, 1/w_max, w_min)`` such that for every ``W`` with
``L(W) <= eps0``

    ||grad_W L(W)||_F >= kappa L(W),   kappa = Theta(r^{-1/2} w_max^{-1/2}),

a Lojasiewicz inequality with exponent alpha = 1 (footnote 3).  ``kappa`` is hidden in
Theta, so the checker judges the shape: the worst-case ``||grad L||_F`` per loss level
must decay no faster than ``L^1``; the best ``kappa`` seen is reported.  With ``constant``
set (e.g. ``CLAIMS[0].variant(constant=...)``) every sample is tested against it.

The worst case per level is *found by optimisation*, not sampled
(:func:`proofs_check.claims.zgj.worst_cases.observe_minimisers`): the smallest ``||grad L||_F``
on ``{L = level}`` from every sampler family, continued down twelve decades.  The
minimisers are small students at a fixed angle from the teachers with the others
re-fitted, where ``||grad L||_F = C L^(3/4)``: steeper than Claim 2's ``L^(2/3)``, still
within Theorem 4's ``L^1``.  ``settings.optimise = False`` observes sampled
configurations instead.
"""
from __future__ import annotations

from fractions import Fraction

import dataclasses


from numeric.numbers import decimal_string
from proofs_check.claim import Claim
from proofs_check.verdict import Observation
from proofs_check.claim_judgement import judge
from proofs_check.models.teacher_student.gradient_norm import loss_and_gradient_norm
from proofs_check.claims.zgj.worst_cases import (WORST_CASE_LEVELS, WorstCaseLevelSettings,
                                                 deepest_at_two_precisions, observe_minimisers)
from proofs_check.judgement import FitSettings, PaperStatement

__all__ = ["CLAIMS", "gradient_lower_bound_at"]


def gradient_lower_bound_at(claim, config, dps):
    L, gnorm = loss_and_gradient_norm(config, dps)
    return Observation(lhs=gnorm, rhs=claim.bound(L), scale=L, dps=dps)


def judge_with_figure(claim, obs):
    """The default judgement, plus the worst-case ||grad L|| against L for the report:
    per level the smallest ``||grad L||_F`` found, with the family of the start that led
    there, how it was reached (``origin``), its shape ``(r, m, d)`` and the precision of
    the descent."""
    verdict = judge(claim, obs)
    worst = {}
    for o in obs:
        ratio = o.lhs / o.scale
        if o.group not in worst or ratio < worst[o.group][0]:
            worst[o.group] = (ratio, o)
    pts = sorted((o for _, o in worst.values()), key=lambda o: float(o.scale.mid()))
    figure = {"gradient_vs_loss": {
        "loss": [decimal_string(o.scale, 12) for o in pts],
        "grad_norm": [decimal_string(o.lhs, 12) for o in pts],
        "family": [o.witness.get("family") for o in pts],
        "origin": [o.witness.get("origin", "sampled") for o in pts],
        "shape": [o.witness.get("shape") for o in pts],
        "precision": [o.witness.get("precision") for o in pts],
        "fitted_exponent": None if verdict.estimate is None or verdict.estimate.exponent is None
        else f"{verdict.estimate.exponent:.6f}",
    }}
    finding = deepest_at_two_precisions(claim, obs, Fraction(3, 4))
    if finding is None:
        return dataclasses.replace(verdict, figures=figure)
    figure["gradient_vs_loss"]["deepest_minimiser"] = finding
    note = (f" Finding (not in the paper): at the deepest level the smallest gradient found is "
            f"||grad L||_F = {finding['C']} L^(3/4) (family {finding['family']}, "
            f"{finding['origin']}), i.e. decaying faster than Claim 2's L^(2/3); the same "
            f"configuration gives ||grad L||_F / L^(3/4) = {finding['C']} at {finding['dps']} "
            f"digits and {finding['C_2x']} at {2 * finding['dps']} digits.")
    return dataclasses.replace(verdict, figures=figure, notes=verdict.notes + note)


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
    kind="empirical",
    paper=PaperStatement("holds", "exponent 1: ||grad L|| >= kappa L"),
    observe=observe_minimisers,
    at=gradient_lower_bound_at,
    judge=judge_with_figure,
    paper_exponent=Fraction(1),
    # Two shapes (1, 2, 2) and (2, 4, 3), each over the 13 levels 1e-2 ... 1e-14.
    default_samples=2 * len(WORST_CASE_LEVELS),
    settings=WorstCaseLevelSettings(),
    # The minimisers form a deterministic ladder: the interval is the range of the local
    # exponents over the eight smallest levels (1e-7 ... 1e-14).
    fit=FitSettings(method="secant", window=8, resolution=0.02),
    paper_constant=r"$\kappa=\Theta(r^{-1/2}w_{\max}^{-1/2})$ (hidden)",
)

CLAIMS = (THM4,)
