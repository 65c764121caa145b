"""Reduction of a float64 stationary point to the smooth part of the loss.

Student rows of norm below ``ZERO_ROW`` are set exactly to zero, and students aligned up
to sign (``sin`` of the angle below ``ALIGNED``) are merged into one effective vector
``u = sum_j +-u_j``: the loss depends on an aligned group only through that sum (the
kernel is 1-homogeneous), so the reduced point is stationary iff every lift of it is, and
the lift keeps the found split.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from flint import arb

from numeric.stationary import TeacherStudentModel
from proofs_check.landscape.types import ALIGNED, ZERO_ROW

__all__ = ["Reduced", "reduce_point", "lift", "lift64", "reduced_loss", "STALLED", "COARSE"]


@dataclass(frozen=True)
class Reduced:
    """Reduced rows ``W`` (one per aligned group), the groups ``((j, sign, share), ...)``
    and the zero rows of the full point."""

    W: np.ndarray
    groups: tuple
    zero_rows: tuple

    def lift(self, centre, m: int, d: int) -> list:
        """Full rows (balls) from reduced rows (balls), :func:`lift`: how the shared
        classification (:func:`proofs_check.landscape.classify_point`) undoes the reduction."""
        return lift(self, centre, m, d)

    @staticmethod
    def zero_row_directions(T) -> list:
        """The structured directions (teachers first) along which the shared classification's
        zero-row test grows a zero row (:func:`.hunt_starts.structured_atoms` of ``T``)."""
        from proofs_check.models.teacher_student.hunt_starts import structured_atoms

        return structured_atoms(T)


def reduce_point(W, *, zero_row: float = ZERO_ROW, aligned: float = ALIGNED) -> Reduced:
    """Zero rows dropped, aligned students merged (see the module docstring)."""
    W = np.asarray(W, dtype=float)
    norms = np.linalg.norm(W, axis=1)
    zero = tuple(int(j) for j in np.nonzero(norms < zero_row)[0])
    live = [j for j in range(len(W)) if j not in zero]
    groups = []
    for j in live:
        uj = W[j] / norms[j]
        for g in groups:
            lead = W[g[0][0]] / norms[g[0][0]]
            c = float(uj @ lead)
            if math.sqrt(max(0.0, 1 - c * c)) < aligned:
                g.append((j, 1 if c > 0 else -1))
                break
        else:
            groups.append([(j, 1)])
    rows, out = [], []
    for g in groups:
        lead = W[g[0][0]] / norms[g[0][0]]
        mass = sum(norms[j] ** 2 for j, _ in g)  # ||u|| summed
        rows.append(math.sqrt(mass) * lead)
        out.append(tuple((j, s, float(norms[j] ** 2 / mass)) for j, s in g))
    d = W.shape[1]
    return Reduced(np.array(rows).reshape(len(rows), d), tuple(out), zero)


def lift(reduced: Reduced, centre, m: int, d: int) -> list:
    """Full rows (balls) from reduced rows (balls): ``w_j = s_j sqrt(share_j) w'``."""
    rows = [[arb(0)] * d for _ in range(m)]
    for k, group in enumerate(reduced.groups):
        for j, s, share in group:
            f = arb.sqrt(arb(share))
            rows[j] = [s * f * centre[k * d + i] for i in range(d)]
    return rows


def lift64(reduced: Reduced, m: int) -> np.ndarray:
    """The float64 ``m x d`` rows of :func:`lift` (zero rows included)."""
    d = reduced.W.shape[1] if reduced.W.ndim == 2 and reduced.W.shape[1] else 0
    W = np.zeros((m, d))
    for k, group in enumerate(reduced.groups):
        for j, s, share in group:
            W[j] = s * math.sqrt(share) * reduced.W[k]
    return W


#: A descent that stalls with ``||grad||`` below this is retried on a coarser reduction.
STALLED = 1e-5
#: The coarser reduction: near degenerate points (aligned groups, shrinking rows) plain
#: descent is slow (the loss is cubic in the split angle, Claim 2).
COARSE = 1e-3


def reduced_loss(model, reduced: Reduced) -> float:
    """The float64 loss of the reduced rows (a guide only)."""
    red = TeacherStudentModel(model.teacher, len(reduced.W), model.activation)
    return red.loss_gradient64(reduced.W.reshape(-1))[0] if len(reduced.W) else float("inf")
