"""Filtered decisions: a question about a ball (the sign of a claim's margin) is first
answered on the float64 screen, and on balls only where the screen cannot decide.

As in the filtered predicates of exact-geometry libraries, the decision is taken from a fast
float64 evaluation whose error is *bounded* (:mod:`numeric.float64_enclosure`), and only
where the bound cannot decide is the evaluation repeated on 50-digit balls.  Since both
results are enclosures of the same exact value, a sign accepted by the screen is the sign the
all-ball evaluation certifies: the verdicts are identical, only their cost differs.

:func:`screening` asks :func:`numeric.precise.evaluate` for the enclosure
``"float64-screen"`` inside a ``with`` block, so that a claim's ``at`` runs unchanged on it;
:func:`filtered` decides with the screen and escalates when the screen's answer is undecided.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Callable

from numeric.precise import ball_enclosure

__all__ = ["ScreenCounts", "screening", "filtered"]


@dataclass
class ScreenCounts:
    """How many decisions the screen took and how many it escalated to balls (a tally, not
    a setting)."""

    screened: int = 0
    escalated: int = 0
    declined: int = 0  # the screen gave no enclosure (inputs out of range): balls from the start

    def add_declined(self) -> None:
        """Tally one evaluation that the screen left to the balls."""
        self.declined += 1

    @property
    def share_escalated(self) -> float:
        total = self.screened + self.escalated
        return self.escalated / total if total else 0.0


@contextlib.contextmanager
def screening(counts: ScreenCounts | None = None):
    """Inside the block, :func:`numeric.precise.evaluate` without an ``enclosure`` argument
    uses the enclosure ``"float64-screen"`` (:func:`numeric.precise.ball_enclosure`): ball
    loss and gradient come from :func:`numeric.float64_enclosure.loss_gradient_enclosure`
    where it applies (the results say so: ``Evaluation.engine == "float64-screen"``), and
    everything else is evaluated as usual.  Scoped like ``workdps``: the caller's setting is
    restored on exit.  ``counts.declined`` tallies the evaluations the screen left to the
    balls."""
    with ball_enclosure("float64-screen", on_decline=None if counts is None else counts.add_declined):
        yield


def filtered(compute: Callable[[], Any], decided: Callable[[Any], bool],
             counts: ScreenCounts | None = None) -> Any:
    """``compute()`` on the float64 screen; its result when ``decided`` says the screen's
    enclosure settles the question, else ``compute()`` again on balls.

    ``decided`` must only accept what holds for every value in the enclosure (e.g. ``lambda
    margin: margin > 0 or margin < 0`` on arb balls); then the result is decided exactly as
    the all-ball evaluation decides it.

    >>> from flint import arb
    >>> filtered(lambda: arb(1), lambda m: m > 0 or m < 0) == 1
    True
    """
    try:
        with screening(counts):
            value = compute()
    except (ZeroDivisionError, ValueError, ArithmeticError):
        value = None  # an operation on the wider balls was undefined: decide on balls
    if value is not None and decided(value):
        if counts is not None:
            counts.screened += 1
        return value
    if counts is not None:
        counts.escalated += 1
    return compute()
