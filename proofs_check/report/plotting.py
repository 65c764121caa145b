"""Drawing helpers shared by the report's figures: the style, number formatting for captions,
log axes that drop non-positive points (and say so), and the atomic PDF write.

Figures are built on :class:`matplotlib.figure.Figure` directly (no ``pyplot``), so no GUI
backend is ever selected and no global figure state is touched.
"""
from __future__ import annotations

import math
import os
import tempfile
from decimal import Decimal
from pathlib import Path

from proofs_check.report.render import tex_number

__all__ = ["FIGURE_STYLE", "positive_pairs", "log_slope", "math_number", "matplotlib_text", "save_pdf",
           "new_figure", "dropped_note", "point_label"]


#: Type 3 fonts (matplotlib's default): subsetting TrueType for pdf.fonttype 42 takes
#: seconds per figure, and the figure text need not be extractable.
FIGURE_STYLE = {
    "pdf.fonttype": 3,
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.5,
    "lines.linewidth": 1.3,
}


def positive_pairs(xs, ys) -> tuple[list[float], list[float], int]:
    """Float pairs with both coordinates positive and representable; and how many were dropped."""
    keep_x, keep_y = [], []
    for x, y in zip(xs, ys):
        fx, fy = float(x), float(y)
        if fx > 0 and fy > 0 and math.isfinite(fx) and math.isfinite(fy):
            keep_x.append(fx)
            keep_y.append(fy)
    return keep_x, keep_y, len(xs) - len(keep_x)


def log_slope(xs, ys) -> tuple[float, float] | None:
    """Least-squares ``log10 y = slope log10 x + intercept``; ``None`` with < 2 distinct x.

    >>> slope, intercept = log_slope([1, 10, 100], [2, 20, 200])
    >>> round(slope, 12), round(intercept, 5)
    (1.0, 0.30103)
    """
    import numpy as np

    lx = np.log10(np.asarray(xs, dtype=float))
    ly = np.log10(np.asarray(ys, dtype=float))
    if len(lx) < 2 or np.ptp(lx) == 0:
        return None
    slope, intercept = np.polyfit(lx, ly, 1)
    return float(slope), float(intercept)


def math_number(x, digits: int = 3) -> str:
    """Math-mode body for a number, via the report's one decimal formatter."""
    return tex_number(x if isinstance(x, Decimal) else repr(float(x)), digits)


def matplotlib_text(text: str) -> str:
    """User text for matplotlib: a lone ``$`` would start mathtext."""
    return text.replace("$", r"\$")


def save_pdf(fig, path: Path) -> None:
    """Save ``fig`` as PDF at ``path`` through a temporary file and a rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        fig.savefig(tmp, format="pdf", bbox_inches="tight",
                    metadata={"CreationDate": None, "Creator": "proofs-check"})
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a figure is for sharing
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def new_figure(width: float = 5.0, height: float = 3.3):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    return fig, fig.add_subplot(1, 1, 1)


def dropped_note(dropped: int) -> str:
    if not dropped:
        return ""
    return (f" {dropped} point{'s' if dropped != 1 else ''} with a zero value"
            f" {'were' if dropped != 1 else 'was'} left out of the logarithmic axes.")


def point_label(family, origin) -> str:
    """A legend entry: the start's sampler family, and how the point was reached if said."""
    label = family or "family not given"
    return label if origin in (None, "", "sampled", "sampler") else f"{label} ({origin})"
