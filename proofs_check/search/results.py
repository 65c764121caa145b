"""What a search returns and how its numbers are written: :class:`Candidate`,
:class:`SearchResult` and the margin strings of the counterexample files."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import mpmath
from flint import arb

from numeric.numbers import decimal_string, to_fraction, to_mpf
from proofs_check.claim import Claim
from numeric.filtered import ScreenCounts

__all__ = ["Candidate", "SearchResult", "margin_string", "rounded_decimal", "config_digits"]


def rounded_decimal(x, digits: int = 12) -> str | None:
    """``x`` as a decimal string of ``digits`` significant digits (None stays None)."""
    return None if x is None else decimal_string(x, digits)


def margin_string(margin) -> str:
    """The margin's midpoint to the digits its radius certifies (at least 3)."""
    mid, rad = to_mpf(margin.mid()), to_mpf(margin.rad())
    digits = 3
    if mid != 0 and rad != 0:
        digits = max(3, min(30, int(mpmath.floor(mpmath.log10(abs(mid) / rad)))))
    elif rad == 0:
        digits = 30
    return decimal_string(margin, digits)


def config_digits(dps: int) -> int:
    """Digits of the entries a counterexample file records for an example evaluated at ``dps``."""
    return max(60, dps + 20)


@dataclass(frozen=True)
class Candidate:
    """One evaluated configuration: the margin ball at ``dps`` digits and where it came from.

    ``level`` is the example's scale: its loss level on the teacher-student sublevel sets
    (``scale_field="level"``), or the value of its paper model's own scale
    (``scale_field="scale"``, e.g. the smallest input angle); ``file_form(config, digits)``
    is the configuration's JSON form (default ``config.to_dict(digits)``)."""

    config: object
    margin: arb
    dps: int
    level: float | None = None
    family: str | None = None
    origin: str = "hypothesis"  # hypothesis | shrunk | optimised | refined | saved (as first found)
    spec: object = field(default=None, compare=False, repr=False)
    #: Re-checked from the save directory (its level, family and origin are the file's).
    saved: bool = field(default=False, compare=False)
    #: What steers Hypothesis and ranks the examples for the optimiser
    #: (:func:`proofs_check.search.evaluation.steering`).
    steer: float | None = field(default=None, compare=False, repr=False)
    scale_field: str = field(default="level", compare=False, repr=False)
    file_form: Callable | None = field(default=None, compare=False, repr=False)

    @property
    def counterexample(self) -> bool:
        return bool(self.margin < 0)

    def key(self):
        """Order by the margin's upper end: the most certainly negative first; a non-finite
        ball (no bound certified) ranks last."""
        if not self.margin.is_finite():
            return mpmath.inf
        return to_mpf(self.margin.mid()) + to_mpf(self.margin.rad())

    def to_json(self, claim_ref: str, claim: Claim) -> dict:
        """The counterexample file's fields (without the search's ``max_loss``/``interrupted``)."""
        on_levels = self.scale_field == "level"
        out = {
            "claim": claim_ref,
            "claim_id": claim.id,
            "constant": None if claim.constant is None else str(to_fraction(claim.constant, "constant")),
            "margin": margin_string(self.margin),
            "error": rounded_decimal(to_mpf(self.margin.rad()), 3),
            "dps": self.dps,
            "counterexample": self.counterexample,
            "level": None if self.level is None or not on_levels else mpmath.nstr(self.level, 6),
        }
        if not on_levels:
            out["scale"] = None if self.level is None else mpmath.nstr(mpmath.mpf(self.level), 6)
        digits = config_digits(self.dps)
        out.update({
            "family": self.family,
            "origin": self.origin,
            "config": (self.config.to_dict(digits) if self.file_form is None
                       else self.file_form(self.config, digits)),
        })
        return out


@dataclass
class SearchResult:
    claim_ref: str
    claim_id: str
    best: Candidate | None
    examples: int
    seed: int
    max_examples: int
    min_loss: float | None  # the range searched of the scale `scale_name` (None: no scale)
    max_loss: float | None
    interrupted: bool = False
    terminated: bool = False  # the interrupt was SIGTERM, not Ctrl-C
    saved_checked: int = 0
    written: list = field(default_factory=list)
    claim: Claim | None = field(default=None, repr=False)
    #: Warnings for the user: a corrupt saved file moved aside, a saved example outside
    #: the claim's hypotheses.
    notes: list = field(default_factory=list)
    #: What ``min_loss``, ``max_loss`` and a candidate's ``level`` measure: ``"loss level"``
    #: for the teacher-student sublevel sets, a paper model's own scale (``Model.scale``,
    #: e.g. the smallest input angle), or None when the claim's instances have no scale.
    scale_name: str | None = "loss level"
    #: Hypothesis examples decided on the float64 screen and those escalated to balls.
    screen_counts: ScreenCounts = field(default_factory=ScreenCounts)

    @property
    def found(self) -> bool:
        return self.best is not None and self.best.counterexample

    def range_text(self) -> str:
        """``loss levels [1e-24, 0.01]``, or the model's scale and the range its examples
        covered, or a plain statement that the claim has no loss level."""
        if self.scale_name == "loss level":
            return f"loss levels [{mpmath.nstr(self.min_loss, 3)}, {mpmath.nstr(self.max_loss, 3)}]"
        if self.scale_name and self.min_loss is not None:
            return (f"no loss level; {self.scale_name} of the examples in "
                    f"[{mpmath.nstr(mpmath.mpf(self.min_loss), 3)}, {mpmath.nstr(mpmath.mpf(self.max_loss), 3)}]")
        return "no loss level (the claim's examples have no scale variable)"

    def to_json(self) -> dict:
        return {
            "claim": self.claim_ref,
            "claim_id": self.claim_id,
            "found": self.found,
            "examples": self.examples,
            "seed": self.seed,
            "max_examples": self.max_examples,
            "loss_range": ([mpmath.nstr(self.min_loss, 3), mpmath.nstr(self.max_loss, 3)]
                           if self.scale_name == "loss level" else None),
            "scale": {"name": self.scale_name,
                      "range": None if self.min_loss is None
                      else [mpmath.nstr(self.min_loss, 3), mpmath.nstr(self.max_loss, 3)]},
            "interrupted": self.interrupted,
            "saved_checked": self.saved_checked,
            "notes": list(self.notes),
            # A hidden constant (O/Theta/Omega) is searched with `at`'s stand-in (usually 1):
            # a negative margin then refutes that constant only.
            "hidden_constant": self.claim is not None and self.claim.constant is None
            and self.claim.relation != "==",
            "best": None if self.best is None else self.best.to_json(self.claim_ref, self.claim),
        }
