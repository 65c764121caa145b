"""A cap on the memory one computation may ask for, checked before the big allocation.

Code that is about to allocate something whose size follows from its input (a Hessian of
``(md)^2`` balls, a campaign grid, a parsed file) first calls :func:`require_memory` with
an estimate of the bytes; above the cap in force it raises :class:`MemoryCapError` (an
input error: exit code 2) naming what was asked for and the estimate.  The cap is a
context variable, set for a block with :func:`memory_cap` (the command line sets it from
``--max-memory``; see ``proofs_check.limits``), never a global that library code changes.

>>> with memory_cap(10 * 1024**2):
...     require_memory("a 1000 x 1000 float64 matrix", 8 * 1000**2)
...     require_memory("a 2000 x 2000 float64 matrix", 8 * 2000**2)
Traceback (most recent call last):
...
numeric.memory.MemoryCapError: a 2000 x 2000 float64 matrix needs about 30.5 MB, above the memory cap of 10.0 MB
"""
from __future__ import annotations

import contextlib
import contextvars

from numeric.errors import ConfigurationError

__all__ = ["MemoryCapError", "memory_cap", "current_memory_cap", "require_memory", "format_bytes",
           "DEFAULT_LIBRARY_CAP"]

#: The cap outside any :func:`memory_cap` block (library use without the command line).
DEFAULT_LIBRARY_CAP = 2 * 1024**3

_cap: contextvars.ContextVar = contextvars.ContextVar("memory_cap", default=DEFAULT_LIBRARY_CAP)

#: Appended to the refusal: how to change the cap (the command line sets its own hint).
_hint: contextvars.ContextVar = contextvars.ContextVar("memory_cap_hint", default="")


class MemoryCapError(ConfigurationError):
    """The computation asked for would need more memory than the cap in force."""


def format_bytes(n: float) -> str:
    """``format_bytes(3 * 1024**3) == '3.0 GB'``; binary units, one decimal."""
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("kB", 1024)):
        if abs(n) >= size:
            return f"{n / size:.1f} {unit}"
    return f"{int(n)} bytes"


@contextlib.contextmanager
def memory_cap(max_bytes: int | None, hint: str = ""):
    """Within the block, :func:`require_memory` refuses estimates above ``max_bytes``
    (None: no cap); ``hint`` is appended to the refusal (e.g. which option raises it)."""
    cap_token = _cap.set(max_bytes)
    hint_token = _hint.set(hint)
    try:
        yield
    finally:
        _cap.reset(cap_token)
        _hint.reset(hint_token)


def current_memory_cap() -> int | None:
    """The cap in force (bytes, or None for none)."""
    return _cap.get()


def require_memory(what: str, estimate_bytes: int) -> None:
    """Raise :class:`MemoryCapError` if ``what`` (a noun phrase: "the Hessian (600 x 600
    balls)") needs more than the cap in force; call it before allocating."""
    cap = _cap.get()
    if cap is not None and estimate_bytes > cap:
        hint = _hint.get()
        raise MemoryCapError(f"{what} needs about {format_bytes(estimate_bytes)}, above the memory cap"
                             f" of {format_bytes(cap)}" + (f" ({hint})" if hint else ""))
