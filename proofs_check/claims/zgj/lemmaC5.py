"""Lemma C.5 (bounded student mass), Zhou, Ge, Jin (COLT 2021), p.32-33.

If ``L(W) = O(r^2 w_max^2)`` then ``sum_j ||w_j||^2 = O(r w_max)``.  (The proof's last line
writes ``sum ||w_j||``, a slip.)

Check: teachers with norms in ``[w_max/2, w_max]`` for ``w_max`` on a ladder from 1e-3 to 1e3
and ``r = 2, 3, 4``; random student directions, all effective vectors scaled by the
largest ``gamma`` with ``L = kappa r^2 w_max^2`` (``kappa = params["kappa"] = 1``; ``L`` is a
quadratic in ``gamma``, so this is exact and gives the most mass the hypothesis allows along
those directions).  The claim is judged as ``sum_j ||w_j||^2 / r <= C x^{-1}`` in the scale
``x = 1/w_max`` (which tends to 0 for large ``w_max``), so the exponent ``-1`` is checked in
the direction where an upper bound can fail.  By 2-homogeneity (``w* -> c w*``,
``w -> sqrt(c) w`` scales ``L`` by ``c^2`` and the mass by ``c``) the exponent is exactly -1.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
from flint import arb

from numeric.config import Configuration
from numeric.precise import evaluate
from proofs_check.claims.base import Claim, Observation, as_ball
from proofs_check.samplers import separated_teachers

__all__ = ["CLAIMS", "largest_mass_at_loss"]

W_MAX = (1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0)
DPS = 30


def largest_mass_at_loss(teacher, student, target, dps=DPS):
    """``(gamma, mass)``: the largest ``gamma`` with ``L(gamma u) = target`` (``u_j`` the
    effective vectors of ``student``) and the student mass ``gamma sum_j ||u_j||`` there."""
    zero_t = [[0] * len(teacher[0]) for _ in teacher]
    zero_s = [[0] * len(teacher[0]) for _ in student]
    A = 2 * evaluate(Configuration(zero_t, student), dps, gradient=False).loss  # sum k(u, u')
    Cc = 2 * evaluate(Configuration(teacher, zero_s), dps, gradient=False).loss  # sum k(w*, w*')
    L = evaluate(Configuration(teacher, student), dps, gradient=False).loss
    B = (A + Cc - 2 * L) / 2
    import flint

    with flint.ctx.workdps(dps):
        t = as_ball(target)
        gamma = (B + arb.sqrt(B * B - A * (Cc - 2 * t))) / A
        mass = gamma * sum((as_ball(sum(x * x for x in row)) for row in student), arb(0))
    return gamma, mass


def _observe(claim, request):
    rng = request.rng(claim.id)
    kappa = claim.params.get("kappa", 1)
    ladder = claim.params.get("w_max", W_MAX)
    per = max(1, request.samples // len(ladder))
    for w_max in ladder:
        for k in range(per):
            r = (2, 3, 4)[k % 3]
            m, d = r + int(rng.integers(0, r + 2)), r + 1
            T = separated_teachers(rng, r, d, 0.3, w_max / 2, w_max).tolist()
            W = rng.standard_normal((m, d)).tolist()
            target = Fraction(kappa) * r * r * Fraction(w_max) ** 2
            gamma, mass = largest_mass_at_loss(T, W, target)
            x = as_ball(Fraction(1) / Fraction(w_max))
            yield Observation(lhs=mass / r, rhs=claim.bound(x), scale=x, dps=DPS, group=w_max,
                              witness={"params": {"teacher": T, "student_directions": W, "r": r,
                                                  "w_max": w_max, "gamma": mpmath.nstr(mpmath.mpf(gamma.mid()), 12)}})
            request.tick()


LEMMAC5 = Claim(
    id="zgj.lemmaC5",
    title="Bounded student mass (Lemma C.5)",
    source="Zhou, Ge, Jin (COLT 2021), Lemma C.5, p.32-33",
    statement=r"L(W)=O(r^2w_{\max}^2)\ \Longrightarrow\ \sum_j\|w_j\|^2=O(r\,w_{\max})",
    hypotheses=r"Assumption 2; $L(W)\le\kappa r^2w_{\max}^2$ (checked at equality, $\kappa=1$)",
    lhs=r"\frac1r\sum_j\|w_j\|^2",
    rhs=r"w_{\max}=x^{-1},\ x=1/w_{\max}",
    relation="<=",
    expected="holds",
    observe=_observe,
    paper_exponent=Fraction(-1),
    default_samples=21,
    params={"kappa": 1, "w_max": W_MAX},
    paper_constant=r"hidden ($\le \max\|w^*\|/w_{\max}+\sqrt{\pi\kappa}$ by $\mathbb E f\le\mathbb E f^*+\|f-f^*\|$)",
)

CLAIMS = (LEMMAC5,)
