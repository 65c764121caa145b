"""Lemma 12 (R_2 is small), Zhou, Ge, Jin (COLT 2021), p.12; proof p.32.

For ``eps := L(W) <= eps0``,

    ||R_2||^2 = O(r^{5/2} w_max^{1/2} eps^{3/4}).

``||R_2||^2`` is computed exactly (a finite sum of blocks ``E[x x^T sgn(a.x) sgn(b.x)]``,
:func:`numeric.decomposition.r2_norm_squared`), not by Monte Carlo.  The constant is hidden;
the exponent in ``eps`` is judged.  Expected scaling: a student at angle ``delta`` from its
teacher contributes ``Theta(||w_j||^4 delta^3)`` (Lemma D.2), so random perturbations
(``L ~ delta^2``) give ``||R_2||^2 ~ L^{3/2}`` and Claim 2's pairs (``L ~ delta^3``) give
``||R_2||^2 ~ L``.  The worst case per level is *found by optimisation*, not sampled
(:func:`proofs_check.claims.zgj.worst_cases.observe_minimisers` with the claim's own margin): the
largest ``||R_2||^2`` on ``{L = level}`` from every sampler family and relaxed stray
starts, continued down thirteen levels 1e-2 ... 1e-14.  The maximisers are a small student
equidistant from two teachers with the others aligned (``||R_2||^2 ~ ||w_j||^4 ~ L``):
the worst exponent is 1, above the paper's 3/4 (which is loose).
"""
from __future__ import annotations

from fractions import Fraction


from numeric.decomposition import r2_norm_squared
from proofs_check.claim import Claim
from proofs_check.claims.zgj.decomposition_bounds import decomposition_at
from proofs_check.claims.zgj.worst_cases import (WORST_CASE_LEVELS, WorstCaseLevelSettings, judge_minimisers,
                                                 observe_minimisers)
from proofs_check.exponent_fit import FitSettings
from proofs_check.judgement import PaperStatement

__all__ = ["CLAIMS"]


r2_at = decomposition_at(r2_norm_squared)


LEMMA12 = Claim(
    id="zgj.lemma12",
    title="||R_2||^2 is small (Lemma 12)",
    source="Zhou, Ge, Jin (COLT 2021), Lemma 12, p.12; proof p.32",
    statement=r"\|R_2\|^2=O\big(r^{5/2}w_{\max}^{1/2}\epsilon^{3/4}\big)",
    hypotheses=r"Assumptions 1, 2; $\epsilon=L(W)\le\epsilon_0$",
    lhs=r"\|R_2\|^2",
    rhs=r"\epsilon^{3/4}",
    relation="<=",
    expected="consistent",
    kind="empirical",
    paper=PaperStatement("holds", "exponent 3/4"),
    observe=observe_minimisers,
    at=r2_at,
    judge=judge_minimisers,
    paper_exponent=Fraction(3, 4),
    default_samples=2 * len(WORST_CASE_LEVELS),
    settings=WorstCaseLevelSettings(worst_case_objective="margin"),
    fit=FitSettings(method="secant", window=8, resolution=0.01),
    paper_constant=r"$O(r^{5/2}w_{\max}^{1/2})$ (hidden)",
)

CLAIMS = (LEMMA12,)
