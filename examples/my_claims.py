"""User-defined claims, written with the public API only (see ``docs/user_claims.md``).

Search them with ``proofs-check search examples.my_claims:SQRT_GRADIENT_BOUND``.

* :data:`SQRT_GRADIENT_BOUND` -- ``||grad L||_F >= 10 L^{1/2}`` near the minima: a
  deliberately FALSE claim (along Claim 2's direction ``||grad L|| ~ L^{2/3}``).
* :data:`FIRST_ORDER` -- the first-order identity ``d/dh L(W + h U)|_{h=0} = <grad L(W), U>``
  for a fixed direction ``U``: TRUE (the derivative is a central difference at high
  precision with a Richardson error bound).
* :data:`PERTURBED_FIRST_ORDER` -- the same identity with the gradient deliberately perturbed
  by ``1e-3 P`` (``P`` a fixed random matrix): FALSE, the search must catch it.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
from flint import arb

from numeric.config import Configuration
from numeric.precise import evaluate
from numeric.numbers import to_mpf
from proofs_check.claim import Claim
from proofs_check.verdict import Observation
from proofs_check.verdict import as_ball
from proofs_check.models.teacher_student.gradient_norm import loss_and_gradient_norm
from proofs_check.models.teacher_student.levels import observe_levels

__all__ = ["SQRT_GRADIENT_BOUND", "FIRST_ORDER", "PERTURBED_FIRST_ORDER", "fixed_matrix"]


def _sqrt_gradient_at(claim, config, dps):
    L, gnorm = loss_and_gradient_norm(config, dps)
    C = as_ball(claim.constant)
    return Observation(lhs=gnorm, rhs=C * arb.sqrt(L.nonnegative_part()), scale=L, dps=dps)


SQRT_GRADIENT_BOUND = Claim(
    id="user.sqrt_gradient_bound",
    title="A false gradient lower bound: Lojasiewicz alpha = 1/2 with constant 10",
    source="examples/my_claims.py (deliberately false; contrast with Theorem 4, p.6)",
    statement=r"\|\nabla L(W)\|_F \ge 10\, L(W)^{1/2}\quad\text{for } L(W)\le 10^{-2}",
    hypotheses="as Theorem 4",
    lhs=r"\|\nabla L(W)\|_F",
    rhs=r"L(W)^{1/2}",
    relation=">=",
    expected="refuted",
    observe=observe_levels,
    at=_sqrt_gradient_at,
    constant=Fraction(10),
    default_samples=14,
)


def fixed_matrix(m: int, d: int, salt: int) -> list:
    """A fixed pseudo-random ``m x d`` matrix of exact binary fractions (seeded by shape)."""
    rng = np.random.default_rng([salt, m, d])
    return [[Fraction(float(x)) for x in row] for row in rng.standard_normal((m, d))]


def _directional_derivative(config: Configuration, U, dps: int):
    """Central difference ``(L(W + hU) - L(W - hU)) / 2h`` with Richardson extrapolation;
    the ball's radius adds the difference of two step sizes (the truncation estimate)."""
    h = Fraction(1, 10 ** max(8, dps // 3))
    work = 3 * dps + 20  # the differences cancel ~2 dps/3 digits

    def central(step):
        plus = config.replace(student=[[x + step * u for x, u in zip(r, ur)] for r, ur in zip(config.student, U)])
        minus = config.replace(student=[[x - step * u for x, u in zip(r, ur)] for r, ur in zip(config.student, U)])
        lp = evaluate(plus, work, backend="arb", gradient=False).loss
        lm = evaluate(minus, work, backend="arb", gradient=False).loss
        return (lp - lm) / (2 * as_ball(step))

    d1, d2 = central(h), central(h / 2)
    richardson = (4 * d2 - d1) / 3  # error O(h^4)
    trunc = abs(richardson - d2)  # >= the O(h^2) error of d2, a generous bound for richardson
    return richardson + arb(0, to_mpf(trunc.mid()) + to_mpf(trunc.rad()))


def _first_order_at(claim, config, dps, perturbation=0):
    U = fixed_matrix(config.m, config.d, salt=1)
    e = evaluate(config, dps, backend="arb", gradient=True)
    grad = [list(row) for row in e.gradient]
    if perturbation:
        P = fixed_matrix(config.m, config.d, salt=2)
        grad = [[g + as_ball(perturbation) * as_ball(p) for g, p in zip(gr, pr)] for gr, pr in zip(grad, P)]
    rhs = sum((g * as_ball(u) for gr, ur in zip(grad, U) for g, u in zip(gr, ur)), arb(0))
    lhs = _directional_derivative(config, U, dps)
    return Observation(lhs=lhs, rhs=rhs, scale=e.loss, dps=dps)


FIRST_ORDER = Claim(
    id="user.first_order",
    title="First-order identity: directional derivative = <grad L, U>",
    source="examples/my_claims.py (calculus; checks numeric.precise's gradient)",
    statement=r"\frac{d}{dh}L(W+hU)\big|_{h=0} = \langle \nabla L(W), U\rangle",
    hypotheses=r"$L$ differentiable at $W$ (no zero student row); $U$ a fixed direction",
    lhs=r"\frac{d}{dh}L(W+hU)\big|_{h=0}",
    rhs=r"\langle \nabla L(W), U\rangle",
    relation="==",
    tolerance="1e-6",  # relative; arb parses the decimal string
    expected="checked",
    observe=observe_levels,
    at=_first_order_at,
    default_samples=7,
)

PERTURBED_FIRST_ORDER = FIRST_ORDER.variant(
    id="user.first_order_perturbed",
    title="First-order identity with a deliberately perturbed gradient (grad + 1e-3 P)",
    expected="refuted",
    at=lambda claim, config, dps: _first_order_at(claim, config, dps, perturbation=Fraction(1, 1000)),
)
