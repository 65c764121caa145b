"""Resource limits on command-line inputs, so that a typo cannot start an hour-long or
memory-hungry computation.  Every limit is lifted by ``--no-limits`` (the memory cap only
when ``--max-memory`` is not given).

>>> DEFAULT_LIMITS.check("--dps", 50, DEFAULT_LIMITS.max_dps)
>>> DEFAULT_LIMITS.check("--dps", 10**6, DEFAULT_LIMITS.max_dps)
Traceback (most recent call last):
...
proofs_check.errors.UsageError: --dps = 1000000 is above the limit of 2000 (--no-limits lifts it)
>>> NO_LIMITS.check("--dps", 10**6, NO_LIMITS.max_dps)

Memory (``docs/limits.md``): every command takes ``--max-memory SIZE`` (default
:func:`default_max_memory`, half of the machine's memory).  A command estimates the peak of
its big allocations before making them and refuses with exit code 2 and the estimate
(:func:`require_memory`, re-exported from :mod:`numeric.memory`):

>>> parse_memory_size("1.5G"), parse_memory_size("512M"), parse_memory_size("2000000")
(1610612736, 536870912, 2000000)
>>> with memory_cap(parse_memory_size("1G")):
...     require_memory("a campaign grid of 10^8 tasks", 10**8 * 600)
Traceback (most recent call last):
...
numeric.memory.MemoryCapError: a campaign grid of 10^8 tasks needs about 55.9 GB, above the memory cap of 1.0 GB
"""
from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass

from numeric.numbers import MAX_DECIMAL_CHARS
from numeric.memory import MemoryCapError, current_memory_cap, format_bytes, memory_cap, require_memory
from proofs_check.errors import UsageError

__all__ = ["Limits", "DEFAULT_LIMITS", "NO_LIMITS", "limits_of", "parse_memory_size",
           "default_max_memory", "max_memory_of", "command_memory_bounds", "memory_cap",
           "require_memory", "current_memory_cap", "MemoryCapError", "format_bytes",
           "DEFAULT_MEMORY_FRACTION", "out_of_memory_message"]


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
    #: Tasks in one campaign grid (after expanding its axes).
    max_campaign_tasks: int | None = 100_000

    def check(self, option: str, value: int | None, bound: int | None) -> None:
        """Raise :class:`UsageError` naming ``option`` when ``value`` exceeds ``bound``."""
        if value is not None and bound is not None and value > bound:
            raise UsageError(f"{option} = {value} is above the limit of {bound} (--no-limits lifts it)")


DEFAULT_LIMITS = Limits()
NO_LIMITS = Limits(None, None, None, None, None)

#: Address space the backstop allows beyond the cap: libraries reserve address space they
#: never touch (the native engine's JIT, LLVM, failed to load under an exact cap of 100 MB).
ADDRESS_SPACE_SLACK = 4 * 1024**3

#: The default memory cap as a fraction of the machine's memory.
DEFAULT_MEMORY_FRACTION = 0.5

_UNITS = {"": 1, "B": 1, "K": 1024, "KB": 1024, "M": 1024**2, "MB": 1024**2, "G": 1024**3,
          "GB": 1024**3, "T": 1024**4, "TB": 1024**4}


def limits_of(args) -> Limits:
    """The limits a parsed command line asked for (``--no-limits`` or the defaults)."""
    return NO_LIMITS if getattr(args, "no_limits", False) else DEFAULT_LIMITS


def parse_memory_size(text: str) -> int:
    """Bytes from ``"4G"``, ``"512M"``, ``"1.5GB"`` or a plain number of bytes (binary units);
    raises :class:`UsageError` naming ``--max-memory`` otherwise."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([A-Za-z]*)\s*", str(text), flags=re.ASCII)
    unit = match.group(2).upper() if match else None
    if match is None or unit not in _UNITS:
        raise UsageError(f"--max-memory = {text!r} is not a size: write e.g. 4G, 512M or a number of bytes")
    size = int(float(match.group(1)) * _UNITS[unit])
    if size < 1024**2:
        raise UsageError(f"--max-memory = {text!r} is below 1 MB, too little to run anything")
    return size


def _physical_memory() -> int | None:
    """Bytes of memory the machine (or the cgroup this process runs in) has."""
    sizes = []
    try:
        sizes.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        pass
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as fh:
                value = fh.read().strip()
        except OSError:
            continue
        if value.isascii() and value.isdigit() and int(value) < 2**60:
            sizes.append(int(value))
    return min(sizes) if sizes else None


def default_max_memory() -> int | None:
    """:data:`DEFAULT_MEMORY_FRACTION` of the machine's memory (None when it is unknown)."""
    total = _physical_memory()
    return None if total is None else int(total * DEFAULT_MEMORY_FRACTION)


def max_memory_of(args) -> int | None:
    """The memory cap a parsed command line asked for: ``--max-memory``, else none with
    ``--no-limits``, else :func:`default_max_memory`."""
    given = getattr(args, "max_memory", None)
    if isinstance(given, str):  # a command that declares its own --max-memory keeps it as text
        given = parse_memory_size(given)
    if given is not None:
        return given
    return None if getattr(args, "no_limits", False) else default_max_memory()


def _address_space_in_use() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


@contextlib.contextmanager
def command_memory_bounds(args):
    """The memory cap of a command, for the block that runs it.

    Estimates checked by :func:`require_memory` are refused above the cap (exit 2), and as a
    backstop for allocations nobody estimated, the process's address space may grow by at
    most the cap (plus :data:`ADDRESS_SPACE_SLACK`) beyond what it holds on entry (``RLIMIT_AS``, inherited by the processes it
    starts): past it an allocation fails with ``MemoryError``, which the command line
    reports in one line instead of the kernel killing the machine's other work.
    """
    cap = max_memory_of(args)
    hint = ("--max-memory raises it" if getattr(args, "max_memory", None) is not None
            else "--max-memory raises it, --no-limits lifts it")
    previous = None
    if cap is not None:
        try:
            import resource

            previous = resource.getrlimit(resource.RLIMIT_AS)
            wanted = _address_space_in_use() + cap + ADDRESS_SPACE_SLACK
            hard = previous[1]
            if hard != resource.RLIM_INFINITY:
                wanted = min(wanted, hard)
            if previous[0] == resource.RLIM_INFINITY or wanted < previous[0]:
                resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
            else:
                previous = None
        except (ImportError, ValueError, OSError):
            previous = None
    try:
        with memory_cap(cap, hint):
            yield cap
    finally:
        if previous is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, previous)


def out_of_memory_message(exc: MemoryError, cap: int | None) -> str:
    """One line for a ``MemoryError`` nobody estimated: what failed and the process's size
    when it did (its address space against its limit), and the cap in force."""
    what = str(exc).splitlines()[0][:200] if str(exc) else "an allocation failed"
    size = f" with {format_bytes(_address_space_in_use())} of address space in use"
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
        if soft != resource.RLIM_INFINITY:
            size += f" (limit {format_bytes(soft)})"
    except (ImportError, ValueError, OSError):
        pass
    return (f"out of memory: {what}{size}"
            + (f"; memory cap {format_bytes(cap)} (--max-memory changes it)" if cap else ""))
