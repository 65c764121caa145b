"""The contrast's figure: PL* for the wide finite-sample network (``figures["lzb.wide_pl"]``)
beside its failure for the teacher-student loss (``figures["contrast.pl"]``), drawn by the
report as ``pl_contrast`` when both are present."""
from __future__ import annotations

from dataclasses import dataclass

from proofs_check.figure_parsing import check_paired, decimal_series, json_object, parse_decimal, parse_int
from proofs_check.paper import FigureType

__all__ = ["PLContrast", "PL_CONTRAST"]


@dataclass(frozen=True)
class PLContrast:
    """PL* for the wide finite-sample network (``figures["lzb.wide_pl"]``: the smallest
    ``lambda_min(K) / lambda0`` along GD against the width) beside its failure for the
    teacher-student population loss (``figures["contrast.pl"]``: ``||grad L||^2 / L`` at the
    worst cases found, against the loss)."""

    widths: tuple
    mu_over_lambda0: tuple
    loss: tuple
    pl_ratio: tuple

    FIELD = "figures.lzb.wide_pl+contrast.pl"

    @classmethod
    def from_json(cls, wide, contrast) -> "PLContrast":
        wide = json_object(wide, "figures.lzb.wide_pl", ("widths", "mu_over_lambda0_min"))
        contrast = json_object(contrast, "figures.contrast.pl", ("loss", "pl_ratio"))
        out = cls(tuple(parse_int(w, f"figures.lzb.wide_pl.widths[{i}]") for i, w in enumerate(wide["widths"])),
                  tuple(parse_decimal(str(x), f"figures.lzb.wide_pl.mu_over_lambda0_min[{i}]")
                        for i, x in enumerate(wide["mu_over_lambda0_min"])),
                  decimal_series(contrast, "loss", "figures.contrast.pl", positive=True),
                  decimal_series(contrast, "pl_ratio", "figures.contrast.pl", nonnegative=True))
        check_paired("figures.lzb.wide_pl", "widths", out.widths, "mu_over_lambda0_min", out.mu_over_lambda0)
        check_paired("figures.contrast.pl", "loss", out.loss, "pl_ratio", out.pl_ratio)
        return out

    def to_json(self) -> dict:
        return {"widths": list(self.widths), "mu_over_lambda0": [str(x) for x in self.mu_over_lambda0],
                "loss": [str(x) for x in self.loss], "pl_ratio": [str(x) for x in self.pl_ratio]}


def _pl_contrast(figures: dict):
    if figures.get("lzb.wide_pl") is None or figures.get("contrast.pl") is None:
        return None
    return PLContrast.from_json(figures["lzb.wide_pl"], figures["contrast.pl"])


#: Registered on the contrast part's record: the report asks the paper for it.
PL_CONTRAST = FigureType(key="pl_contrast", parse=_pl_contrast)
