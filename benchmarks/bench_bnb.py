"""The branch and bound's box evaluations: float64 intervals against python-flint balls.

Run on demand (not part of the test suite)::

    python benchmarks/bench_bnb.py            # writes benchmarks/results_bnb.md
    python benchmarks/bench_bnb.py --quick    # fewer boxes

For each geometry (two orthogonal unit teachers with m = 2 in R^2 and R^3; the angle-0.6
pair, norms 1.1 and 0.7, m = 2 in R^2) the same boxes (fixed seed: centres uniform in the
branch and bound's initial box, half-widths 1e-3) are enclosed

* by :meth:`numeric.threshold_model.TeacherStudentBoxes.loss_gradient` (float64
  intervals, vectorised over all boxes at once), and
* by :func:`numeric.threshold_balls.ball_loss_gradient` (arb balls at 30 digits, one box
  at a time),

loss and gradient both; the table gives boxes per second for each, side by side in one
process, and the median width of the loss enclosures (the two should be alike).
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from numeric.threshold_balls import ball_loss_gradient  # noqa: E402
from numeric.threshold_model import TeacherStudentBoxes  # noqa: E402

ANGLE_PAIR = ((Fraction("1.1"), 0), (Fraction(0.7 * math.cos(0.6)), Fraction(0.7 * math.sin(0.6))))
GEOMETRIES = (
    ("2 orthogonal unit teachers, m = 2, d = 2", ((1, 0), (0, 1)), 2, 2),
    ("2 orthogonal unit teachers, m = 2, d = 3", ((1, 0), (0, 1)), 2, 3),
    ("angle-0.6 pair, m = 2, d = 2", ANGLE_PAIR, 2, 2),
)


def boxes(model, count, half_width, rng):
    lo0, hi0 = model.initial_box()
    c = rng.uniform(lo0, hi0, size=(count, model.n))
    return c - half_width, c + half_width


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results_bnb.md"))
    args = ap.parse_args(argv)
    count = 400 if args.quick else 4000
    ball_count = 100 if args.quick else 400
    rows = []
    for label, teacher, m, d in GEOMETRIES:
        model = TeacherStudentBoxes(teacher, m, d, 0.06)
        lo, hi = boxes(model, count, 1e-3, np.random.default_rng(0))
        start = time.perf_counter()
        L, g = model.loss_gradient(lo, hi)
        float_rate = count / (time.perf_counter() - start)
        start = time.perf_counter()
        widths = []
        for i in range(ball_count):
            Lb, gb = ball_loss_gradient(teacher, m, d, lo[i], hi[i])
            widths.append(float(2 * Lb.rad()))
        ball_rate = ball_count / (time.perf_counter() - start)
        rows.append((label, count, f"{float_rate:.0f}", ball_count, f"{ball_rate:.0f}",
                     f"{float_rate / ball_rate:.0f}x", f"{np.median(L.hi[:ball_count] - L.lo[:ball_count]):.2e}",
                     f"{np.median(widths):.2e}"))
        print(rows[-1], flush=True)
    load = os.getloadavg()[0]
    text = ["# Branch and bound: float64 intervals against arb balls", "",
            f"`python benchmarks/bench_bnb.py`; Python {platform.python_version()}, load average "
            f"{load:.2f} at the end (a shared machine: read the ratio, measured side by side in one process).", "",
            "| geometry | float64 boxes | float64 boxes/s | arb boxes | arb boxes/s | ratio | "
            "median loss width (float64) | median loss width (arb) |",
            "|---|---|---|---|---|---|---|---|"]
    text += ["| " + " | ".join(str(x) for x in row) + " |" for row in rows]
    text += ["", "Loss and gradient enclosed over the same boxes (half-width 1e-3, centres uniform in the "
             "branch and bound's initial box at level 0.06, seed 0): float64 intervals vectorised over "
             "all boxes at once, arb balls (30 digits) one box at a time."]
    Path(args.out).write_text("\n".join(text) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
