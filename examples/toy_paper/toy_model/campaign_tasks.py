"""A campaign task type of the toy model: the derived orthant probability at one angle.

Declared on the model's record (``Model.task_types``), so that a campaign spec can ask for
``kind = "orthant_probability"`` with nothing in proofs-check changed.
"""
from __future__ import annotations

from fractions import Fraction

import flint

from proofs_check.campaign.task_types import Parameter, TaskType
from toy_model.configuration import AnglePair

__all__ = ["ORTHANT_PROBABILITY", "TASK_TYPES"]


def _angle(text):
    try:
        AnglePair.from_dict({"theta": text})
    except ValueError as exc:
        return f"is not an angle of the model ({exc})"
    return None


def _orthant_probability(theta: str, dps: int) -> dict:
    """``(pi - theta) / (2 pi)`` as a ball at ``dps`` digits (midpoint and radius strings)."""
    t = Fraction(AnglePair.from_dict({"theta": theta}).theta)
    with flint.ctx.workdps(dps):
        ball = (flint.arb.pi() - flint.arb(t.numerator) / t.denominator) / (2 * flint.arb.pi())
        return {"theta": theta, "probability": ball.mid().str(dps, radius=False),
                "radius": ball.rad().str(5, radius=False)}


def _summary(rows, findings) -> list:
    return sorted(({"theta": r["result"]["theta"], "probability": r["result"]["probability"]} for r in rows),
                  key=lambda entry: Fraction(entry["theta"]))


ORTHANT_PROBABILITY = TaskType(
    name="orthant_probability",
    doc="P(w.x >= 0, w.y >= 0) = (pi - theta)/(2 pi) at one angle, on a ball",
    parameters=(
        Parameter("theta", str, 'the angle, an exact rational such as "157/100"', check=_angle),
        Parameter("dps", int, "digits", default=30,
                  check=lambda x: None if isinstance(x, int) and 5 <= x <= 1000 else "must be an integer in 5..1000"),
    ),
    run=_orthant_probability,
    summarize=_summary,
)

TASK_TYPES = (ORTHANT_PROBABILITY,)
