"""The zero-search hunt against the descent hunt, side by side, at the same time budget.

Run on demand (not part of the test suite)::

    python benchmarks/bench_hunt.py                 # the table of results_hunt.md
    python benchmarks/bench_hunt.py --budget 5      # quicker, fewer points

For each geometry (2 and 3 orthogonal unit teachers, issue 19's angle-0.6 pair with norms
1.1 and 0.7), width ``m`` and ambient dimension ``d`` (``d = r`` and the covering
``d = r + m``), two hunts run one after the other in this process with the same seed and
the same time budget (the budget binds, not the start count):

* **descent**: ``HuntSettings(strategies=("descent",))``, today's descent hunt (its
  schedule of atoms and families, descent, saddle hops);
* **zero search**: the default strategies (symmetry seeds, deflated Levenberg-Marquardt
  from atoms and from random rows, descent, hops).

Counted: distinct certified stationary points (up to symmetry) per minute, and the lowest
certified spurious loss each reaches in that time (the best found, an upper bound on the
real threshold in that ``d``).  The machine's load average is recorded with the table.
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from proofs_check.landscape import HuntSettings  # noqa: E402
from proofs_check.models.teacher_student.hunt import hunt  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results_hunt.md"
GEOMETRIES = {
    "2 orthogonal": [[1, 0], [0, 1]],
    "3 orthogonal": [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
    "angle-0.6 pair": [[1.1, 0], [0.7 * math.cos(0.6), 0.7 * math.sin(0.6)]],
}
#: (geometry, m) pairs run by default: m = r..r+1 (r + 2, r + 3 with --wide).
DEFAULT_WIDTHS = {"2 orthogonal": (2, 3), "3 orthogonal": (3, 4), "angle-0.6 pair": (2, 3)}


def one(teacher, m, d, strategies, budget, seed):
    settings = HuntSettings(students=m, starts=10**6, seed=seed, budget=budget, dim=d,
                            **({"strategies": strategies} if strategies else {}))
    t0 = time.monotonic()
    result = hunt(teacher, settings)
    seconds = time.monotonic() - t0
    certified = sum(p.certified for p in result.points)
    low = result.lowest_spurious
    lowest = float(result.points[low].loss.mid()) if low is not None else None
    return certified, seconds, lowest, result.starts_run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--budget", type=float, default=12.0, help="seconds per hunt (default 12)")
    parser.add_argument("--wide", action="store_true", help="also m = r + 2, r + 3")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", action="store_true", help="write results_hunt.md")
    args = parser.parse_args()
    rows = []
    load_before = os.getloadavg()
    for name, teacher in GEOMETRIES.items():
        r = len(teacher)
        widths = DEFAULT_WIDTHS[name] + ((r + 2, r + 3) if args.wide else ())
        for m in widths:
            for d in sorted({r, r + m}):
                old = one(teacher, m, d, ("descent",), args.budget, args.seed)
                new = one(teacher, m, d, None, args.budget, args.seed)
                rows.append((name, m, d, old, new))
                print(name, m, d, old, new, flush=True)
    load_after = os.getloadavg()

    def fmt(x):
        return "-" if x is None else f"{x:.6f}"

    lines = [
        "# The zero-search hunt against the descent hunt",
        "",
        f"`python benchmarks/bench_hunt.py --budget {args.budget:g}{' --wide' if args.wide else ''} --write`, "
        f"one process, {platform.python_version()}, {os.cpu_count()} cores; load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after (the machine is shared: the rates are "
        f"comparable within a row, not across machines).  Each hunt has the same {args.budget:g} s budget "
        f"and seed {args.seed}; points are distinct up to symmetry and certified (Krawczyk on balls); the "
        f"lowest spurious loss is the best each found in that time.",
        "",
        "| geometry | m | d | descent: certified / min | zero search: certified / min | descent: starts | "
        "zero search: starts | descent: lowest spurious | zero search: lowest spurious |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, m, d, old, new in rows:
        lines.append(f"| {name} | {m} | {d} | {60 * old[0] / old[1]:.0f} | {60 * new[0] / new[1]:.0f} | "
                     f"{old[3]} | {new[3]} | {fmt(old[2])} | {fmt(new[2])} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        RESULTS.write_text(text)


if __name__ == "__main__":
    main()
