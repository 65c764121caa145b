"""Any full-space model restricted to a fixed-point subspace through its basis.

:class:`EmbeddedModel` costs what the full model costs; it is the reference that
:class:`numeric.fixed_point.RestrictedModel` (pair types, cost independent of r) is tested
against at small r, and the way to restrict a loss that is *not* invariant, to see the
equivariance argument of :mod:`numeric.fixed_point` fail.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from flint import arb

from numeric.fixed_point import FixedPointBasis, RestrictedModel

__all__ = ["EmbeddedModel"]


@dataclass(frozen=True)
class EmbeddedModel:
    """Any full-space model (the protocol of :mod:`numeric.stationary`, parameters the
    flattened ``m x d`` rows) restricted to a fixed-point subspace through its basis:
    ``B^T grad L(B y)`` and ``B^T H(B y) B``.  Its cost is the full model's (it is the
    reference :class:`RestrictedModel` is tested against at small r, and the way to
    restrict a loss that is *not* invariant, to see the equivariance argument fail)."""

    full: object
    basis: FixedPointBasis = field(compare=False)

    @property
    def n(self) -> int:
        return self.basis.dimension

    def ball_rows(self, y):
        """The flattened full rows (balls) of the reduced point ``y``."""
        m, d = self.basis.labels.shape
        out = []
        for i in range(m):
            for j in range(d):
                label = int(self.basis.labels[i, j])
                out.append(arb(0) if label < 0 else int(self.basis.signs[i, j]) * arb(y[label]))
        return out

    def _restrict(self, vector):
        m, d = self.basis.labels.shape
        out = [arb(0)] * self.n
        for i in range(m):
            for j in range(d):
                label = int(self.basis.labels[i, j])
                if label >= 0:
                    out[label] += int(self.basis.signs[i, j]) * vector[i * d + j]
        return out

    def loss_gradient64(self, y):
        L, g = self.full.loss_gradient64(self.basis.embed(y).reshape(-1))
        return L, self.basis.restrict(np.asarray(g).reshape(self.basis.labels.shape))

    def hessian64(self, y, h: float = 1e-6):
        return RestrictedModel.hessian64(self, y, h)

    def snap(self, y):
        return np.asarray(y, dtype=float)

    def ball_loss(self, y):
        return self.full.ball_loss(self.ball_rows(y))

    def ball_gradient(self, y):
        return self.ball_gradient_hessian(y)[0]

    def ball_gradient_hessian(self, y):
        g, H = self.full.ball_gradient_hessian(self.ball_rows(y))
        columns = [self._restrict([row[k] for row in H]) for k in range(len(H))]  # B^T H, column k
        BtH = [[columns[k][a] for k in range(len(H))] for a in range(self.n)]
        return self._restrict(g), [self._restrict(row) for row in BtH]
