"""The escape from a spurious minimum of Safran and Shamir's model with one more neuron.

With ``k = n + 1`` (:func:`escape_from_minimum`): the best escape direction ``w_hat`` of a
minimum (``k = n``) is searched in float64 and ``g(w_hat)`` certified on balls over the whole
box (:func:`numeric.safran_shamir.escape_coefficient`); ``g < 0`` means the minimum is a
saddle once the neuron is added along ``w_hat``.  Then descent from the lifted point
``(W, 10^-2 w_hat)`` shows where gradient flow goes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numeric.safran_shamir import SafranShamirModel, escape_coefficient, escape_direction64
from numeric.stationary import descend
from proofs_check.models.relu_unit_output.hunt import GD_STEPS

__all__ = ["Escape", "escape_from_minimum"]


@dataclass(frozen=True)
class Escape:
    """What one more neuron does to a spurious minimum."""

    escape: object  # arb: g(w_hat), certified over the box holding the exact minimum
    escape_direction: tuple  # floats (exact as binary fractions)
    loss_after_escape: float  # float64 loss after descent from (W, 1e-2 w_hat), k = n + 1


def escape_from_minimum(model: SafranShamirModel, point, rng, dps: int) -> Escape:
    """``g`` along the best escape direction found, on the ball of the hunt's radius around
    ``point.config`` (a Frobenius radius bounds every coordinate), and where descent goes
    from the lifted point."""
    import flint
    from flint import arb

    centre = [x for row in point.config.student for x in row]
    centre64 = np.array([float(c) for c in centre])
    w, _ = escape_direction64(model, centre64, rng)
    with flint.ctx.workdps(dps):
        # The centre's entries are dyadic (ball midpoints), so these quotients are exact.
        box = [arb((arb(c.numerator) / c.denominator).mid(), point.radius) for c in centre]
        g = escape_coefficient(model, box, [float(v) for v in w])
    bigger = SafranShamirModel(model.teacher, model.k + 1)
    after = descend(bigger, np.concatenate([centre64, 1e-2 * w]), gd_steps=GD_STEPS)
    return Escape(g, tuple(float(v) for v in w), float(after.loss))
