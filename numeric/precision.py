"""Precision control: evaluate until the requested digits are certain.

At small loss the closed form subtracts O(1) terms, so at ``p`` working digits the loss has
only about ``p - log10(scale / L)`` correct digits.  :func:`guaranteed` wraps any
evaluation ``evaluate_at(dps)`` and raises the working precision until the result is known
to ``digits`` significant digits:

* on python-flint balls the radius is a rigorous error bound;
* on mpmath numbers the error estimate is the disagreement of two precisions
  (``dps`` and ``dps + guard``), as in ``mpmath.autoprec``.

>>> from numeric.config import Configuration
>>> c = Configuration.from_dict({"teacher": [[1, 0]],
...     "student": [["0.70710678118654752440084436210484903928483593768847", "1e-30"], [0, "1e-20"]]})
>>> g = guaranteed_loss(c, digits=10)
>>> g.digits >= 10, g.dps > 10
(True, True)
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import mpmath

from numeric.errors import ConfigurationError
from numeric.fields import ARB, field as _field
from numeric.numbers import to_mpf

__all__ = ["Guaranteed", "guaranteed", "guaranteed_loss", "correct_digits"]

_LOG2_10 = math.log2(10)


@dataclass(frozen=True)
class Guaranteed:
    """A value with its error bound or estimate and the working precision that produced it.

    ``value`` is a backend number (arb ball or mpf); ``error`` an mpf bounding (arb) or
    estimating (mpmath) the absolute error; ``digits`` the number of correct significant
    digits implied (0 when the value cannot be told from zero); ``method`` says which.
    """

    value: Any
    error: Any
    dps: int
    digits: int
    method: str
    certain: bool


def correct_digits(value, error) -> int:
    """Significant digits of ``value`` implied by an absolute ``error``."""
    with mpmath.workdps(20):
        mag = abs(to_mpf(value))
        error = mpmath.mpf(error)
        if mag == 0:
            return 0
        if error == 0:
            return 10**6
        return max(0, int(mpmath.floor(mpmath.log10(mag) - mpmath.log10(error))))


def _error(F, value, other=None):
    """Absolute error as an mpf (a float would underflow at the paper's eps0 ~ 1e-70^k)."""
    if F is ARB:
        return to_mpf(value.rad())
    return abs(value - other)


def guaranteed(
    evaluate_at: Callable[[int], Any],
    digits: int,
    *,
    backend: str = "arb",
    start_dps: int | None = None,
    max_dps: int = 4000,
) -> Guaranteed:
    """Raise the working precision until ``evaluate_at(dps)`` has ``digits`` correct digits.

    ``evaluate_at`` takes a precision in decimal digits and returns a backend number.  If
    ``max_dps`` is reached first (e.g. the value is exactly 0), the last result is returned
    with ``certain=False``.
    """
    if not isinstance(digits, int) or digits < 1:
        raise ConfigurationError(f"digits = {digits!r} must be a positive integer")
    F = _field(backend)
    dps = start_dps or digits + 15
    guard = max(10, digits // 2)
    while True:
        if F is ARB:
            value = evaluate_at(dps)
            err = _error(F, value)
        else:
            value = evaluate_at(dps + guard)
            err = _error(F, value, evaluate_at(dps))
        got = correct_digits(value, err)
        if got >= digits:
            return Guaranteed(value, err, dps, got, "ball" if F is ARB else "two precisions", True)
        if dps >= max_dps:
            return Guaranteed(value, err, dps, got, "ball" if F is ARB else "two precisions", False)
        # Each round at least doubles; the shortfall tells how much more is needed.
        dps = min(max_dps, max(2 * dps, dps + (digits - got) + guard))


def guaranteed_loss(config, digits: int = 15, *, backend: str = "arb", max_dps: int = 4000) -> Guaranteed:
    """The loss of ``config`` with ``digits`` certain significant digits."""
    from numeric.precise import evaluate

    return guaranteed(
        lambda dps: evaluate(config, dps, backend=backend, gradient=False).loss,
        digits,
        backend=backend,
        max_dps=max_dps,
    )
