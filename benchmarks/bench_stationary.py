"""The stationary-point hunt against plain float64 gradient descent (Safran and Shamir's way).

Run on demand (not part of the test suite)::

    python benchmarks/bench_stationary.py            # r = 2, 3, 4; m = r..2r; a few minutes
    python benchmarks/bench_stationary.py --quick    # fewer starts

For each (r, m), teachers ``e_1..e_r`` in ``R^r``, the same Gaussian starts (fixed seed) go to

* **baseline**: plain gradient descent in numpy float64 (``numeric.float64``) with step
  ``5/m`` (the anchor's; it diverges here) and with a stable step 0.1, until ``||grad|| <= 1e-12``, as in the anchor's code, capped at ``--max-steps``
  steps (a descent that reaches the cap has found nothing);
* **ours**: :func:`numeric.stationary.descend` (Armijo gradient steps, then Newton on the
  gradient) to ``||grad|| <= 1e-11``; and the full hunt
  (:func:`proofs_check.models.teacher_student.hunt.hunt`), whose distinct certified points per minute are
  counted (certification: Newton at 40 digits, Krawczyk, inertia on balls).

The baseline certifies nothing, so its "points" are converged descents; ours are distinct
points up to symmetry with a certificate.  Everything runs in one process, one after the
other; the machine's load average is recorded with the table.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from numeric import float64  # noqa: E402
from numeric.stationary import TeacherStudentModel, descend  # noqa: E402
from proofs_check.landscape import HuntSettings  # noqa: E402
from proofs_check.models.teacher_student.hunt import hunt  # noqa: E402

STABLE_STEP = 0.1  # step 5/m diverges on this model (its Hessian norm is ~ r w_max)
RESULTS = Path(__file__).resolve().parent / "results_stationary.md"


def plain_gd(T, W, max_steps, eta):
    """Safran-Shamir's descent: a fixed step until ||grad|| <= 1e-12 (diverged: False)."""
    for k in range(max_steps):
        _, G = float64.loss_and_gradient(T, W)
        gn = np.linalg.norm(G)
        if gn <= 1e-12:
            return True, k
        if not np.isfinite(gn) or gn > 1e8:
            return False, k
        W = W - eta * G
    return False, max_steps


def run(shapes, starts, max_steps, hunt_starts):
    rows = []
    for r, m in shapes:
        T = np.eye(r)
        rng = np.random.default_rng(0)
        W0 = [rng.standard_normal((m, r)) * 0.7 for _ in range(starts)]
        t = time.perf_counter()
        anchor = [plain_gd(T, W, max_steps, 5.0 / m) for W in W0]
        t_anchor = time.perf_counter() - t
        t = time.perf_counter()
        base = [plain_gd(T, W, max_steps, STABLE_STEP) for W in W0]
        t_base = time.perf_counter() - t
        model = TeacherStudentModel.from_rows(T.tolist(), m)
        t = time.perf_counter()
        ours = [descend(model, W.reshape(-1)) for W in W0]
        t_ours = time.perf_counter() - t
        t = time.perf_counter()
        result = hunt(T.tolist(), HuntSettings(students=m, starts=hunt_starts, seed=0, budget=120))
        t_hunt = time.perf_counter() - t
        certified = sum(p.certified for p in result.points)
        minima = sum(p.certified and p.point_type == "minimum" for p in result.points)
        rows.append(dict(
            r=r, m=m, anchor_rate=starts / t_anchor, anchor_conv=sum(c for c, _ in anchor),
            base_rate=starts / t_base, base_conv=sum(c for c, _ in base),
            ours_rate=starts / t_ours, ours_conv=sum(d.converged for d in ours),
            starts=starts, hunt_starts=result.starts_run, hunt_seconds=t_hunt,
            certified=certified, distinct=len(result.points), minima=minima,
            lowest="-" if result.lowest_spurious is None else
            result.points[result.lowest_spurious].loss.mid().str(8, radius=False),
            per_minute=60 * certified / t_hunt,
            base_per_minute=60 * sum(c for c, _ in base) / t_base,
        ))
        print(_row(rows[-1]), flush=True)
    return rows


HEADER = ("| (r, m) | GD step 5/m: starts/s | converged | GD step 0.1: starts/s | converged | ours starts/s | converged | speed-up | "
          "hunt: certified distinct points | spurious minima | lowest spurious L | hunt seconds | certified points/min | plain GD converged descents/min |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def _row(x):
    return (f"| ({x['r']}, {x['m']}) | {x['anchor_rate']:.2f} | {x['anchor_conv']}/{x['starts']} | {x['base_rate']:.2f} | {x['base_conv']}/{x['starts']} | "
            f"{x['ours_rate']:.2f} | {x['ours_conv']}/{x['starts']} | {x['ours_rate'] / x['base_rate']:.1f}x | "
            f"{x['certified']}/{x['distinct']} ({x['hunt_starts']} starts) | {x['minima']} | {x['lowest']} | "
            f"{x['hunt_seconds']:.1f} | "
            f"{x['per_minute']:.1f} | {x['base_per_minute']:.1f} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer starts, r <= 3")
    parser.add_argument("--max-steps", type=int, default=5000, help="plain GD step cap (default 5000)")
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args(argv)
    rs = (2, 3) if args.quick else (2, 3, 4)
    shapes = [(r, m) for r in rs for m in range(r, 2 * r + 1)]
    starts = 4 if args.quick else 8
    print(HEADER)
    rows = run(shapes, starts, args.max_steps, hunt_starts=20 if args.quick else 40)
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    text = "\n".join([
        "# Stationary-point hunt against plain float64 gradient descent",
        "",
        f"`python benchmarks/bench_stationary.py{' --quick' if args.quick else ''}`; Python "
        f"{platform.python_version()}, load average {load[0]:.2f} at the end (a shared machine: "
        "ratios measured side by side in one process are what to read).",
        "",
        HEADER,
        *(_row(x) for x in rows),
        "",
        f"Plain GD: step 5/m (the anchor's; it diverges on this model, whose Hessian norm is "
        f"~ r w_max) and step {STABLE_STEP}, until ||grad|| <= 1e-12, at most {args.max_steps} steps. "
        "Ours: `numeric.stationary.descend` to ||grad|| <= 1e-11 on the same starts. "
        "The hunt certifies (Krawczyk on balls at 40 digits) and deduplicates modulo symmetry; "
        "plain GD certifies nothing, so its last column counts converged descents, not distinct points.",
        "",
    ])
    Path(args.output).write_text(text)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
