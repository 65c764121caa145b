"""Samplers of the toy model's configurations."""
from __future__ import annotations

from fractions import Fraction

from toy_model.configuration import THETA_MAX, AnglePair

__all__ = ["angle_grid"]


def angle_grid(count: int) -> list[AnglePair]:
    """``count`` angles ``theta_k = k THETA_MAX / (count + 1)``, ``k = 1..count``: evenly
    spread over ``(0, pi)``, deterministic."""
    return [AnglePair(Fraction(k) * THETA_MAX / (count + 1)) for k in range(1, count + 1)]
