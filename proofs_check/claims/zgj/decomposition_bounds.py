"""Claims bounding a quantity of the paper's decomposition (:mod:`numeric.decomposition`,
Section 5's ``R_1``, ``R_2``, the average neurons) by a power of the loss: their ``at``."""
from __future__ import annotations

from numeric.precise import evaluate

__all__ = ["decomposition_at"]


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
