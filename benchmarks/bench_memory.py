"""Peak memory of the 50-digit evaluation (loss and gradient) at widths m = 500, 1000, 2000.

Run on demand (not part of the test suite)::

    python benchmarks/bench_memory.py            # m = 500, 1000, 2000; about a minute
    python benchmarks/bench_memory.py --widths 500

Each width is evaluated in a fresh child process, which reports its peak resident set size
(``ru_maxrss``) after building the configuration and again after ``evaluate(config, 50)``;
the table shows both and their difference.  python-flint allocates outside Python's
allocator, so ``tracemalloc`` would not see the balls: the resident set size does.  A
Hessian at the largest width is also requested, to show that it is refused before anything
is allocated.  Target (issue 12): below 300 MB at m = 2000 for loss and gradient.  Writes
``benchmarks/results_memory.md``.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results_memory.md"
R, D, DPS = 5, 10, 50
WIDTHS = (500, 1000, 2000)
TARGET_MB = 300

CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
import numpy as np
from numeric import Configuration, evaluate
from numeric.precise import EvaluationTooLargeError, memory_estimate

r, m, d, dps, hessian = {r}, {m}, {d}, {dps}, {hessian}
rng = np.random.default_rng(0)
config = Configuration(rng.normal(size=(r, d)).tolist(), (0.8 * rng.normal(size=(m, d))).tolist())
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    e = evaluate(config, dps, hessian=hessian)
    refused = None
except EvaluationTooLargeError as err:
    refused = str(err)
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"before_kb": before, "after_kb": after, "seconds": seconds, "refused": refused,
                  "estimate": memory_estimate(m, r, d, dps, hessian=hessian)}}))
"""


def measure(m: int, hessian: bool = False) -> dict:
    """Run one evaluation in a child process and return its memory figures (kB on Linux)."""
    code = CHILD.format(root=str(ROOT), r=R, m=m, d=D, dps=DPS, hessian=hessian)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {"m": m, "hessian": hessian} | json.loads(out.stdout.strip().splitlines()[-1])


def markdown(rows: list[dict]) -> str:
    lines = [
        "# Memory benchmark",
        "",
        f"`python benchmarks/bench_memory.py`; r = {R}, d = {D}, {DPS} digits; peak resident set size "
        "of a fresh process (ru_maxrss) before and after `evaluate`; target for loss and gradient "
        f"at m = 2000: < {TARGET_MB} MB.",
        "",
        "| m | what | peak before | peak after | evaluation adds | time | estimate | meets target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        before, after = row["before_kb"] / 1024, row["after_kb"] / 1024
        what = "Hessian" if row["hessian"] else "loss + gradient"
        if row["refused"]:
            lines.append(f"| {row['m']} | {what} | {before:.0f} MB | {after:.0f} MB | refused before "
                         f"allocating: {row['refused']} | {row['seconds']:.2f} s "
                         f"| {row['estimate'] / 1024**3:.0f} GB | - |")
            continue
        ok = "yes" if after < TARGET_MB else "NO"
        lines.append(f"| {row['m']} | {what} | {before:.0f} MB | {after:.0f} MB | {after - before:.0f} MB "
                     f"| {row['seconds']:.1f} s | {row['estimate'] / 1024**2:.0f} MB | {ok} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", default=",".join(map(str, WIDTHS)))
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args(argv)
    widths = [int(x) for x in args.widths.split(",")]
    rows = [measure(m) for m in widths]
    rows.append(measure(max(widths), hessian=True))
    text = markdown(rows)
    print(text)
    Path(args.output).write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
