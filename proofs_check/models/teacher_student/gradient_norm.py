"""Quantities that several claims share, evaluated once per configuration."""
from __future__ import annotations

import flint
from flint import arb

from numeric.precise import evaluate

__all__ = ["loss_and_gradient_norm", "decomposition_at"]


def loss_and_gradient_norm(config, dps: int):
    """``(L, ||grad L||_F)`` as arb balls at ``dps`` digits."""
    e = evaluate(config, dps, backend="arb", gradient=True)
    with flint.ctx.workdps(dps):
        sq = sum((g * g for row in e.gradient for g in row), arb(0))
        return e.loss, arb.sqrt(sq.nonnegative_part())


def decomposition_at(quantity):
    """An ``at(claim, config, dps)`` for claims ``quantity(decomposition) <= C L^alpha``:
    the left side from the paper's decomposition (:mod:`numeric.decomposition`), the right
    side ``claim.bound(L)``, the loss as the scale."""
    from numeric.decomposition import decompose
    from proofs_check.verdict import Observation

    def at(claim, config, dps):
        dec = decompose(config, dps, "arb")
        L = evaluate(config, dps, backend="arb", gradient=False).loss
        return Observation(lhs=quantity(dec), rhs=claim.bound(L), scale=L, dps=dps)

    at.__name__ = f"{quantity.__name__}_at"
    return at
