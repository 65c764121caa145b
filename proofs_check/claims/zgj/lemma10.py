"""Lemma 10 (average student close to its teacher), Zhou, Ge, Jin (COLT 2021), p.10 and p.28.

For ``eps := L(W) <= eps0``, every average neuron ``hat w_i = sum_{j in T_i} ||w_j|| w_j``
(sign convention ``w_j.w*_i >= 0``) satisfies

    ||v_i|| = ||hat w_i - w*_i|| <= poly(r, w_max, 1/Delta) eps^{3/8}

(the proof gives ``alpha = O(r^{11/4} w_max^{1/4} Delta^{-3/2} eps^{3/8})``).  The factor is
hidden; with ``Delta``, ``w_max`` and ``r`` bounded over the samples the checker judges the
exponent: the worst ``max_i ||v_i||`` per loss level must decay at least like ``eps^{3/8}``.

Measured: random perturbations give ``||v|| ~ L^{1/2}`` (the binding case); Claim 2's
rotated pairs give ``v = 0`` exactly for balanced pairs and ``||v|| ~ delta^2 ~ L^{2/3}``
for an aligned odd-one-out; so the true worst exponent is 1/2 and 3/8 is not tight.
"""
from __future__ import annotations

from fractions import Fraction


from proofs_check.claims.base import Claim
from proofs_check.claims.quantities import decomposition_at
from proofs_check.claims.sampling import LevelSettings, observe_levels

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
    observe=observe_levels,
    at=v_norm_at,
    paper_exponent=Fraction(3, 8),
    default_samples=24,
    settings=LevelSettings(levels=(1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8)),
    paper_constant=r"$\mathrm{poly}(r,w_{\max},\Delta^{-1})$, proof: $O(r^{11/4}w_{\max}^{1/4}\Delta^{-3/2})$ (hidden)",
)

CLAIMS = (LEMMA10,)
