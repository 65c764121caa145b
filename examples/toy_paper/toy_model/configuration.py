"""The configuration of the toy model: two unit vectors at the angle ``theta``, exact."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

__all__ = ["AnglePair", "THETA_MAX"]

#: A rational below pi: every accepted angle lies in (0, pi), where Sheppard's formula holds.
THETA_MAX = Fraction(314159, 100000)


@dataclass(frozen=True)
class AnglePair:
    """Unit vectors ``x, y`` with ``x . y = cos(theta)``, ``0 < theta <= THETA_MAX``."""

    theta: Fraction

    def __post_init__(self):
        if not isinstance(self.theta, Fraction):
            raise ValueError(f"theta = {self.theta!r} must be an exact rational (Fraction)")
        if not 0 < self.theta <= THETA_MAX:
            raise ValueError(f"theta = {self.theta} must lie in (0, {THETA_MAX}]")

    @classmethod
    def from_dict(cls, data) -> "AnglePair":
        """From ``{"theta": "157/100"}`` (a decimal or fraction string, or an int)."""
        if not isinstance(data, dict) or "theta" not in data:
            raise ValueError("field 'theta' is missing")
        raw = data["theta"]
        if isinstance(raw, bool) or not isinstance(raw, (str, int)):
            raise ValueError(f"field 'theta' = {raw!r} must be a string such as \"157/100\"")
        try:
            theta = Fraction(raw)
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"field 'theta' = {raw!r} is not a number") from None
        return cls(theta)

    def to_dict(self, digits: int | None = None) -> dict:
        """``{"theta": "p/q"}``, exact (``digits`` is accepted and not needed)."""
        return {"theta": str(self.theta)}
