"""Du et al.'s figure: the width at which the linear rate held (``figures["du.gd_rate"]``),
drawn by the report as ``du_gd_rate``."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from proofs_check.figure_parsing import check_paired, json_object, parse_decimal, parse_int
from proofs_check.paper import FigureType
from proofs_check.schema import ResultsError
from proofs_check.schema import short_repr

__all__ = ["WidthSweep", "WIDTH_SWEEP"]


@dataclass(frozen=True)
class WidthSweep:
    """Du et al.'s GD rate against the width: the fraction of sampled runs in which the rate
    held at each width, the smallest width from which it always held, and the theorem's width
    (``figures["du.gd_rate"]``)."""

    widths: tuple
    fraction_holding: tuple
    measured_width: int | None
    theory_width: Decimal

    FIELD = "figures.du.gd_rate"

    @classmethod
    def from_json(cls, data) -> "WidthSweep":
        data = json_object(data, cls.FIELD, ("widths", "fraction_holding", "theory_width"))
        widths = data["widths"]
        if not isinstance(widths, list):
            raise ResultsError(f"{cls.FIELD}.widths must be a list of integers, got {short_repr(widths)}")
        out = cls(tuple(parse_int(w, f"{cls.FIELD}.widths[{i}]") for i, w in enumerate(widths)),
                  tuple(parse_decimal(str(x), f"{cls.FIELD}.fraction_holding[{i}]", nonnegative=True)
                        for i, x in enumerate(data["fraction_holding"])),
                  None if data.get("measured_width") is None
                  else parse_int(data["measured_width"], f"{cls.FIELD}.measured_width"),
                  parse_decimal(str(data["theory_width"]), f"{cls.FIELD}.theory_width", positive=True))
        check_paired(cls.FIELD, "widths", out.widths, "fraction_holding", out.fraction_holding)
        return out

    def to_json(self) -> dict:
        return {"widths": list(self.widths), "fraction_holding": [str(x) for x in self.fraction_holding],
                "measured_width": self.measured_width, "theory_width": str(self.theory_width)}


#: Registered on the paper record: the report asks the paper for it.
WIDTH_SWEEP = FigureType(key="du_gd_rate", parse=lambda figures: None if figures.get("du.gd_rate") is None
                         else WidthSweep.from_json(figures["du.gd_rate"]))
