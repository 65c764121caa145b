"""Resource limits on command-line inputs, so that a typo cannot start an hour-long or
memory-hungry computation.  Every limit is lifted by ``--no-limits``.

>>> DEFAULT_LIMITS.check("--dps", 50, DEFAULT_LIMITS.max_dps)
>>> DEFAULT_LIMITS.check("--dps", 10**6, DEFAULT_LIMITS.max_dps)
Traceback (most recent call last):
...
proofs_check.errors.UsageError: --dps = 1000000 is above the limit of 2000 (--no-limits lifts it)
>>> NO_LIMITS.check("--dps", 10**6, NO_LIMITS.max_dps)
"""
from __future__ import annotations

from dataclasses import dataclass

from numeric.config import MAX_DECIMAL_CHARS
from proofs_check.errors import UsageError

__all__ = ["Limits", "DEFAULT_LIMITS", "NO_LIMITS", "limits_of"]


@dataclass(frozen=True)
class Limits:
    """Upper bounds on what a command line may ask for (None: no bound)."""

    #: Significant digits asked of ``eval`` and ``replay`` (``eval`` works at up to
    #: twice as many while certifying them).
    max_dps: int | None = 2000
    #: Samples per claim in ``run`` and ``report`` (the defaults are 4 to 60).
    max_samples: int | None = 10_000
    #: Hypothesis examples of ``search``.
    max_examples: int | None = 100_000
    #: Characters of one decimal string in an input file (conversion is quadratic in it).
    max_decimal_chars: int | None = MAX_DECIMAL_CHARS

    def check(self, option: str, value: int | None, bound: int | None) -> None:
        """Raise :class:`UsageError` naming ``option`` when ``value`` exceeds ``bound``."""
        if value is not None and bound is not None and value > bound:
            raise UsageError(f"{option} = {value} is above the limit of {bound} (--no-limits lifts it)")


DEFAULT_LIMITS = Limits()
NO_LIMITS = Limits(None, None, None, None)


def limits_of(args) -> Limits:
    """The limits a parsed command line asked for (``--no-limits`` or the defaults)."""
    return NO_LIMITS if getattr(args, "no_limits", False) else DEFAULT_LIMITS
