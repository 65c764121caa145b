"""Lemma 10 (average student close to its teacher), Zhou, Ge, Jin (COLT 2021), p.10 and p.28.

For ``eps := L(W) <= eps0``, every average neuron ``hat w_i = sum_{j in T_i} ||w_j|| w_j``
(sign convention ``w_j.w*_i >= 0``) satisfies

    ||v_i|| = ||hat w_i - w*_i|| <= poly(r, w_max, 1/Delta) eps^{3/8}

(the proof gives ``alpha = O(r^{11/4} w_max^{1/4} Delta^{-3/2} eps^{3/8})``).  The factor is
hidden; with ``Delta``, ``w_max`` and ``r`` bounded over the samples the checker judges the
exponent: the worst ``max_i ||v_i||`` per loss level must decay at least like ``eps^{3/8}``.

The worst case per level is *found by optimisation*, not sampled
(:func:`proofs_check.claims.zgj.worst_cases.observe_minimisers` with the claim's own margin): the
largest ``max_i ||v_i||`` on ``{L = level}`` from every sampler family and a relaxed stray
start, continued down thirteen levels 1e-2 ... 1e-14.  The maximisers are small students
far from every teacher, counted in their nearest teacher's group (``v_i`` of the size of
their effective vectors ``||w_j||^2 ~ L^{1/2}``), with ``||v|| = C L^{1/2}``: the worst
exponent is 1/2, so
3/8 holds and is not tight (Claim 2's balanced pairs give ``v = 0``, random perturbations
``L^{1/2}`` with a smaller ``C``).
"""
from __future__ import annotations

from fractions import Fraction


from proofs_check.claim import Claim
from proofs_check.claims.zgj.decomposition_bounds import decomposition_at
from proofs_check.claims.zgj.worst_cases import (WORST_CASE_LEVELS, WorstCaseLevelSettings, judge_minimisers,
                                                 observe_minimisers)
from proofs_check.exponent_fit import FitSettings
from proofs_check.judgement import PaperStatement

__all__ = ["CLAIMS", "max_v_norm"]


def max_v_norm(dec):
    """``max_i ||v_i||`` as a ball (by upper bound)."""
    from numeric.fields import ARB

    with ARB.workdps(dec.dps):
        norms = [ARB.norm(v) for v in dec.v]
    return max(norms, key=lambda x: x.upper())


v_norm_at = decomposition_at(max_v_norm)


LEMMA10 = Claim(
    id="zgj.lemma10",
    title="Average neuron close to its teacher (Lemma 10)",
    source="Zhou, Ge, Jin (COLT 2021), Lemma 10, p.10; proof p.28",
    statement=r"\|v_i\|=\Big\|\sum_{j\in T_i}\|w_j\|w_j-w_i^*\Big\|\ \le\ \mathrm{poly}(r,w_{\max},\Delta^{-1})\,\epsilon^{3/8}",
    hypotheses=r"Assumptions 1, 2; $\epsilon=L(W)\le\epsilon_0$; sign convention $w_j^\top w_i^*\ge0$ on $T_i$",
    lhs=r"\max_i\|v_i\|",
    rhs=r"\epsilon^{3/8}",
    relation="<=",
    expected="consistent",
    kind="empirical",
    paper=PaperStatement("holds", "exponent 3/8"),
    observe=observe_minimisers,
    at=v_norm_at,
    judge=judge_minimisers,
    paper_exponent=Fraction(3, 8),
    # Two shapes (1, 2, 2) and (2, 4, 3), each over the 13 levels 1e-2 ... 1e-14.
    default_samples=2 * len(WORST_CASE_LEVELS),
    settings=WorstCaseLevelSettings(worst_case_objective="margin"),
    # A deterministic ladder of maximisers: the range of the local exponents over the eight
    # smallest levels (1e-7 ... 1e-14).
    fit=FitSettings(method="secant", window=8, resolution=0.01),
    paper_constant=r"$\mathrm{poly}(r,w_{\max},\Delta^{-1})$, proof: $O(r^{11/4}w_{\max}^{1/4}\Delta^{-3/2})$ (hidden)",
)

CLAIMS = (LEMMA10,)
