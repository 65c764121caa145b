"""What evaluating a claim produces: observations of both sides, estimates of the hidden
constant and exponent, and verdicts; and the margin of one observation.

``margin`` of one observation is ``lhs / rhs - 1`` for ``>=`` (``1 - lhs / rhs`` for ``<=``)
when ``rhs`` is certainly non-zero, else ``lhs - rhs`` (``rhs - lhs``): a non-negative margin
means the claim holds at that observation (see :mod:`proofs_check.claim`).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable

import mpmath
import numpy as np
from flint import arb

from numeric.numbers import decimal_string
from numeric.numbers import to_arb as as_ball  # claims turn constants into balls with it
from proofs_check.judgement import ExponentFit, PaperStatement, versus_paper

__all__ = ["Observation", "Estimate", "Verdict", "Request", "as_ball", "margin_of", "ratio"]


@dataclass(frozen=True)
class Observation:
    """One evaluation of both sides of a claim.

    ``lhs`` and ``rhs`` are arb balls with the paper's constant already applied to ``rhs``
    when the claim has one; ``scale`` is the value of the scale variable (an arb ball or
    number, e.g. the loss); ``group`` buckets observations for the exponent fit (e.g. the
    target loss level); ``witness`` replays the observation: ``{"config": {...}}`` (a
    configuration dict) and/or ``{"params": {...}}``.
    """

    lhs: Any
    rhs: Any
    scale: Any
    dps: int
    witness: dict = field(default_factory=dict)
    group: Any = None


@dataclass(frozen=True)
class Estimate:
    """The best constant seen and the fitted exponent with its interval (method in ``fit``)."""

    constant: Any = None  # mpf
    exponent: float | None = None
    exponent_ci: tuple | None = None
    paper_exponent: Fraction | None = None
    note: str = ""
    fit: ExponentFit | None = None

    def to_json(self) -> dict:
        fmt = lambda x: None if x is None else mpmath.nstr(mpmath.mpf(x), 8)
        return {
            "constant": fmt(self.constant),
            "exponent": fmt(self.exponent),
            "exponent_ci": None if self.exponent_ci is None else [fmt(x) for x in self.exponent_ci],
            "paper_exponent": None if self.paper_exponent is None else str(self.paper_exponent),
            "note": self.note,
            "fit": None if self.fit is None else self.fit.to_json(),
        }


@dataclass(frozen=True)
class Verdict:
    claim_id: str
    source: str
    status: str
    expected: str
    kind: str
    samples: int
    scale_range: tuple | None  # (lo, hi) mpf
    min_margin: Any  # arb ball or mpf
    dps: int
    error: Any  # mpf: error bound/estimate of min_margin
    worst: dict | None
    estimate: Estimate | None = None
    counterexample: dict | None = None
    notes: str = ""
    figures: dict | None = None
    title: str = ""
    statement: str = ""
    paper_constant: str | None = None
    shown: str = ""  # what was shown, in one sentence (from the judgement's Decision)
    paper: PaperStatement | None = None  # what the paper states (apart from the verdict)
    margin_kind: str = "relative"  # what ``min_margin`` measures (judgement.MARGIN_KINDS)
    instances: int | None = None  # N of a checked (or refuted) decision
    drawn_from: str = ""  # where a checked decision's instances were drawn

    @property
    def versus_paper(self) -> str:
        """``agrees`` / ``against`` / ``open`` / ``-``: see :func:`~proofs_check.judgement.versus_paper`."""
        return versus_paper(self.paper.says if self.paper else "silent", self.status)

    @property
    def matches(self) -> bool:
        return self.status == self.expected

    def amended(self, **changes) -> "Verdict":
        """A copy with some fields changed (claims add notes, estimates or figures)."""
        return dataclasses.replace(self, **changes)

    def to_json(self) -> dict:
        fmt = lambda x: None if x is None else decimal_string(x, 10)
        out = {
            "id": self.claim_id,
            "title": self.title,
            "source": self.source,
            "statement_latex": self.statement,
            "kind": self.kind,
            "status": self.status,
            "expected": self.expected,
            "shown": self.shown,
            "paper": None if self.paper is None else self.paper.to_json(),
            "versus_paper": self.versus_paper,
            "margin_kind": self.margin_kind,
            "instances": self.instances,
            "drawn_from": self.drawn_from,
            "samples": self.samples,
            "loss_range": None if self.scale_range is None else [fmt(x) for x in self.scale_range],
            "min_margin": fmt(self.min_margin),
            "dps": self.dps,
            "error": fmt(self.error),
            "worst": self.worst,
            "estimate": None if self.estimate is None else self.estimate.to_json(),
            "counterexample": self.counterexample,
            "paper_constant": self.paper_constant,
            "notes": self.notes,
        }
        if self.figures:
            out["figures"] = self.figures
        return out


@dataclass(frozen=True)
class Request:
    """What a claim's ``observe`` is asked for: a sample budget and a seeded generator."""

    samples: int
    seed: int = 0
    progress: Callable[[int], None] | None = None

    def rng(self, salt: str = "") -> np.random.Generator:
        # Seeded per claim so that claims do not shift each other's streams.
        return np.random.default_rng([self.seed, *(ord(c) for c in salt)])

    def tick(self, n: int = 1) -> None:
        if self.progress is not None:
            self.progress(n)


def margin_of(relation: str, lhs, rhs, tolerance=None):
    """The margin of one observation (see the module conventions); an arb ball."""
    lhs, rhs = as_ball(lhs), as_ball(rhs)
    if relation == "==":
        tol = as_ball(tolerance if tolerance is not None else 0)
        scale = rhs if rhs != 0 and not rhs.contains(0) else arb(1)
        return tol - abs(lhs - rhs) / abs(scale)
    sign = 1 if relation in (">=", "Theta") else -1
    if rhs > 0 or rhs < 0:
        return sign * (lhs / rhs - 1) * (1 if rhs > 0 else -1)
    return sign * (lhs - rhs)


def ratio(o):
    """``lhs / rhs`` of an observation as a ball, or ``None`` when ``rhs`` may vanish."""
    lhs, rhs = as_ball(o.lhs), as_ball(o.rhs)
    if rhs > 0 or rhs < 0:
        return lhs / rhs
    return None
