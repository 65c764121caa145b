"""The loss and the Frobenius norm of its gradient of a teacher-student configuration, on
balls: the left side of Theorem 4 and of the PL contrast, shared by several claims."""
from __future__ import annotations

import flint
from flint import arb

from numeric.precise import evaluate

__all__ = ["loss_and_gradient_norm"]


def loss_and_gradient_norm(config, dps: int):
    """``(L, ||grad L||_F)`` as arb balls at ``dps`` digits."""
    e = evaluate(config, dps, backend="arb", gradient=True)
    with flint.ctx.workdps(dps):
        sq = sum((g * g for row in e.gradient for g in row), arb(0))
        return e.loss, arb.sqrt(sq.nonnegative_part())
