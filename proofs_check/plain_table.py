"""Column-aligned plain-text tables for the terminal (``run``, ``stationary``, ``campaign show``).

>>> print(aligned_table(("claim", "status"), [("zgj.thm4", "consistent"), ("x", None)]))
claim     status
--------  ----------
zgj.thm4  consistent
x         -
"""
from __future__ import annotations

__all__ = ["aligned_table"]


def aligned_table(header, rows) -> str:
    """``header`` and ``rows`` (sequences of cells; ``None`` prints as ``-``), left-aligned
    columns two spaces apart, a rule of dashes under the header, no trailing spaces."""
    cells = [tuple(str(x) for x in header)] + [tuple("-" if x is None else str(x) for x in r) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
