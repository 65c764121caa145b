"""The compiled ball engine (``numeric.native``, issue 23) against python-flint and the tight
numpy baseline, and what it changes for the suite and the search, before and after.

Run on demand (not part of the test suite)::

    git worktree add /tmp/before <commit before the engine>   # or: git archive ... | tar -x
    python benchmarks/bench_native.py --before-tree /tmp/before
    python benchmarks/bench_native.py --quick                 # shapes and compile time only
    # or one side at a time (a long run split over a busy machine), then the table:
    python benchmarks/bench_native.py --runs-of /tmp/before --save-runs before.json
    python benchmarks/bench_native.py --runs-of . --save-runs after.json
    python benchmarks/bench_native.py --before-runs before.json --after-runs after.json
    python benchmarks/bench_native.py --compare-tree /tmp/before   # native / tight, before and after
    python benchmarks/bench_native.py --krawczyk                   # certify with either engine
    python benchmarks/bench_native.py --hessian-share              # the Hessian's pair coefficients

Writes the section "Native engine" of ``benchmarks/results_core.md`` (the rest of that file is
``bench_core.py``'s) and prints it; ``--compare-tree``, ``--krawczyk`` and ``--hessian-share``
each write a section of their own there.

* Loss + gradient at 50 digits, median of interleaved timeit repeats in one process: the
  tight numpy baseline of ``bench_core.py``, ``evaluate(config, 50, engine="native")`` and
  ``engine="python-flint"``.  Targets (issue 23): native <= 25x the baseline at (8, 16, 20),
  <= 40x at (16, 64, 32), <= 60x at (32, 128, 64).
* The first call's cost: ``import numeric.native`` (numba, loading or compiling the loops,
  the self-test) in a fresh process, with numba's disk cache empty (compile) and warm.
* ``python -m proofs_check run`` wall time and a 60-second search's examples per second,
  the tree before the engine (``--before-tree``) and this one, interleaved, each run's load
  average beside it; the suite's verdicts must be identical.
"""
from __future__ import annotations

import argparse
import json
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import DPS, RESULTS, _t, configuration, side_by_side, tight_numpy_loss_and_gradient  # noqa: E402
from numeric import float64  # noqa: E402
from numeric.precise import evaluate  # noqa: E402

SHAPES = ((3, 6, 5), (8, 16, 20), (16, 64, 32), (32, 128, 64))
TARGETS = {(8, 16, 20): 25.0, (16, 64, 32): 40.0, (32, 128, 64): 60.0}
SEARCH_CLAIM, SEARCH_BUDGET = "zgj.thm4", 60
SECTION = "## Native engine (`python benchmarks/bench_native.py`)"


def load() -> float:
    return os.getloadavg()[0]


def shape_rows(repeat: int) -> list[dict]:
    rows = []
    for shape in SHAPES:
        config = configuration(*shape)
        T, S, _ = float64.as_arrays(config)
        fast, slow = evaluate(config, DPS, engine="native"), evaluate(config, DPS, engine="python-flint")
        assert fast.engine == "native" and fast.loss.overlaps(slow.loss)
        times = side_by_side({
            "tight": lambda: tight_numpy_loss_and_gradient(T, S),
            "native": lambda: evaluate(config, DPS, engine="native"),
            "python-flint": lambda: evaluate(config, DPS, engine="python-flint"),
        }, repeat)
        rows.append({"shape": shape, "load": load()} | times)
        print(f"  measured {shape}", file=sys.stderr)
    return rows


HESSIAN_SHAPES = ((3, 6, 5), (4, 8, 10), (8, 16, 20))


def hessian_share(repeat: int = 3) -> list[dict]:
    """Where a 50-digit Hessian's time goes: the whole ``evaluate(config, 50, hessian=True,
    engine="python-flint")`` against its pair coefficients alone (the calls of
    ``numeric.pair_kernels.<activation>_hessian_sc`` it makes, recorded once and replayed),
    which is all a compiled pair loop would replace; medians of ``repeat``."""
    import statistics
    from unittest import mock

    from numeric import pair_kernels

    rows = []
    for shape in HESSIAN_SHAPES:
        config = configuration(*shape)
        name = f"{config.activation}_hessian_sc"
        original, calls = getattr(pair_kernels, name), []

        def recording(*args, _original=original, _calls=calls):
            _calls.append(args)
            return _original(*args)

        with mock.patch.object(pair_kernels, name, recording):
            evaluate(config, DPS, hessian=True, engine="python-flint")

        def whole():
            evaluate(config, DPS, hessian=True, engine="python-flint")

        def pairs():
            for args in calls:
                original(*args)

        times = {"total": [], "pair": []}
        for _ in range(repeat):
            for key, fn in (("total", whole), ("pair", pairs)):
                start = time.perf_counter()
                fn()
                times[key].append(time.perf_counter() - start)
        rows.append({"shape": shape, "calls": len(calls), "load": load()}
                    | {key: statistics.median(v) for key, v in times.items()})
    return rows


def hessian_markdown(rows) -> str:
    lines = ["Hessian at 50 digits (`python benchmarks/bench_native.py --hessian-share`): the whole "
             "python-flint evaluation and its pair coefficients alone (the `*_hessian_sc` calls it makes, "
             "replayed), all a compiled pair loop could remove; medians of 3.", "",
             "| (r, m, d) | whole Hessian evaluation | pair coefficients (calls) | share | load |",
             "|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['shape']} | {_t(row['total'])} | {_t(row['pair'])} ({row['calls']}) "
                     f"| {100 * row['pair'] / row['total']:.1f}% | {row['load']:.1f} |")
    return "\n".join(lines) + "\n"


_RATIO_CODE = """
import json, os, sys
sys.path[:0] = [{tree!r}, os.path.join({tree!r}, "benchmarks")]
from bench_core import configuration, side_by_side, tight_numpy_loss_and_gradient
from numeric import float64
from numeric.precise import evaluate
config = configuration(*{shape!r})
T, S, _ = float64.as_arrays(config)
evaluate(config, {dps}, engine="native")
t = side_by_side({{"tight": lambda: tight_numpy_loss_and_gradient(T, S),
                  "native": lambda: evaluate(config, {dps}, engine="native")}}, {repeat})
print(json.dumps(t))
"""


def tree_ratios(trees: dict, rounds: int = 3, repeat: int = 3) -> list[dict]:
    """Native / tight numpy of each tree (e.g. the engine before and after a change), each
    measured in its own process against the baseline in that process, the trees alternated
    ``rounds`` times per shape; the median ratio per tree."""
    import statistics

    out = []
    for shape in SHAPES[1:]:
        ratios = {name: [] for name in trees}
        times = {name: [] for name in trees}
        for _ in range(rounds):
            for name, tree in trees.items():
                code = _RATIO_CODE.format(tree=str(tree), shape=shape, dps=DPS, repeat=repeat)
                done = subprocess.run([sys.executable, "-c", code], env=os.environ | {"PYTHONPATH": str(tree)},
                                      capture_output=True, text=True, check=True)
                t = json.loads(done.stdout.strip().splitlines()[-1])
                ratios[name].append(t["native"] / t["tight"])
                times[name].append(t["native"])
        out.append({"shape": shape, "load": load()}
                   | {name: (statistics.median(times[name]), statistics.median(ratios[name])) for name in trees})
        print(f"  compared {shape}", file=sys.stderr)
    return out


def tree_markdown(rows, names) -> str:
    lines = ["Native loss + gradient at 50 digits, each tree in its own processes (alternated, 3 "
             "rounds, median), divided by the tight numpy baseline measured in the same process:", "",
             "| (r, m, d) | " + " | ".join(f"{n}: native (/ tight)" for n in names) + " | target | load |",
             "|---|" + "---|" * len(names) + "---|---|"]
    for row in rows:
        target = TARGETS.get(row["shape"])
        cells = " | ".join(f"{_t(row[n][0])} ({row[n][1]:.0f}x)" for n in names)
        lines.append(f"| {row['shape']} | {cells} | {target:g}x | {row['load']:.1f} |")
    return "\n".join(lines) + "\n"


KRAWCZYK_POINTS = ((3, "one per teacher"), (4, "one per teacher"), (5, "one per teacher"))


def krawczyk_rows(repeat: int = 3) -> list[dict]:
    """``numeric.stationary.certify`` at the global minimum of ``r`` orthogonal teachers (m = d
    = r: ``r^2`` unknowns, so ``r^2`` gradients per Krawczyk test for the mean-value check),
    40 digits, with ``ball_engine("python-flint")`` and the default (native), interleaved,
    medians of ``repeat``; the certificates must be identical."""
    import statistics

    import numpy as np

    from numeric.precise import ball_engine
    from numeric.stationary import TeacherStudentModel, certify, refine
    from symbolic.stationary_points import orthogonal_teacher_points

    rows = []
    for r, name in KRAWCZYK_POINTS:
        point = {p.name: p for p in orthogonal_teacher_points(r)}[name]
        student = [[float(x) for x in row] for row in point.student_rows(60)]
        model = TeacherStudentModel.from_rows(np.eye(r).tolist(), len(student))
        centre = refine(model, np.array(student).reshape(-1), 40)
        times, certificates = {"python-flint": [], "native": []}, {}
        for _ in range(repeat):
            for engine in times:
                with ball_engine(engine):
                    start = time.perf_counter()
                    cert = certify(model, centre, 40)
                    times[engine].append(time.perf_counter() - start)
                certificates[engine] = (cert.certified, str(cert.radius), str(cert.gradient_norm),
                                        cert.inertia and (cert.inertia.negative, cert.inertia.positive))
        rows.append({"point": f"r = {r}, {name}", "unknowns": model.n, "load": load(),
                     "same": certificates["python-flint"] == certificates["native"],
                     "certified": certificates["native"][0]}
                    | {engine: statistics.median(v) for engine, v in times.items()})
    return rows


def krawczyk_markdown(rows) -> str:
    lines = ["`certify` (Krawczyk test + inertia, 40 digits; `python benchmarks/bench_native.py --krawczyk`), "
             "python-flint alone against the default, interleaved, medians of 3:", "",
             "| point | unknowns | python-flint | native | python-flint / native | certificates identical | load |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['point']} | {row['unknowns']} | {_t(row['python-flint'])} | {_t(row['native'])} "
                     f"| {row['python-flint'] / row['native']:.2f}x | {'yes' if row['same'] else 'NO'} "
                     f"| {row['load']:.1f} |")
    return "\n".join(lines) + "\n"


def first_call() -> dict:
    """Seconds of ``import numeric.native`` in a fresh process: numba's cache empty, then warm."""
    code = ("import time; t = time.perf_counter(); import numeric.native as n; "
            "print(time.perf_counter() - t, n.status())")
    out = {}
    with tempfile.TemporaryDirectory() as cache:
        env = os.environ | {"PYTHONPATH": str(ROOT), "NUMBA_CACHE_DIR": cache}
        for label in ("compile (empty cache)", "warm cache"):
            text = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                  text=True, check=True).stdout.split(maxsplit=1)
            out[label] = (float(text[0]), text[1].strip(), load())
    return out


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def suite_run(tree: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "suite.json"
        start, cpu = time.perf_counter(), _children_cpu()
        subprocess.run([sys.executable, "-m", "proofs_check", "run", "--no-progress", "--json", str(path)],
                       env=os.environ | {"PYTHONPATH": str(tree)}, cwd=tmp, capture_output=True)
        wall, cpu = time.perf_counter() - start, _children_cpu() - cpu
        claims = json.loads(path.read_text())["claims"]
    return {"wall": wall, "cpu": cpu, "load": load(),
            "verdicts": {c["id"]: (c["kind"], c["status"]) for c in claims}}


def search_run(tree: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        start, cpu = time.perf_counter(), _children_cpu()
        done = subprocess.run([sys.executable, "-m", "proofs_check", "search", SEARCH_CLAIM,
                               "--budget", str(SEARCH_BUDGET), "--max-examples", "100000",
                               "--db", "none", "--save-dir", "none"],
                              env=os.environ | {"PYTHONPATH": str(tree)}, cwd=tmp,
                              capture_output=True, text=True)
        wall, cpu = time.perf_counter() - start, _children_cpu() - cpu
    examples = int(re.search(r"evaluated (\d+) examples", done.stdout).group(1))
    return {"wall": wall, "cpu": cpu, "examples": examples, "load": load()}


def markdown(shapes, compile_times, suite=None, search=None,
             how: str = "the tree before the engine and this one, interleaved") -> str:
    lines = [SECTION, "",
             f"Loss + gradient at {DPS} digits, median of interleaved repeats in one process, each "
             "divided by the tight numpy baseline; load average (2 cores) after each shape.", "",
             "| (r, m, d) | tight numpy | native | native / tight | target | python-flint | python-flint / tight "
             "| python-flint / native | load |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in shapes:
        t = row["tight"]
        target = TARGETS.get(row["shape"])
        met = "" if target is None else f"{target:g}x: {'met' if row['native'] / t <= target else 'not met'}"
        lines.append(f"| {row['shape']} | {_t(t)} | {_t(row['native'])} | {row['native'] / t:.0f}x | {met} "
                     f"| {_t(row['python-flint'])} | {row['python-flint'] / t:.0f}x "
                     f"| {row['python-flint'] / row['native']:.1f}x | {row['load']:.1f} |")
    lines += ["", "First call (`import numeric.native` in a fresh process: numba, the loops, the self-test):", "",
              "| numba cache | seconds | status | load |", "|---|---|---|---|"]
    for label, (seconds, status, avg) in compile_times.items():
        lines.append(f"| {label} | {seconds:.2f} | {status} | {avg:.1f} |")
    if suite:
        lines += ["", "Suite (`python -m proofs_check run`, default workers) and a "
                  f"{SEARCH_BUDGET}-second search (`proofs_check search {SEARCH_CLAIM} --budget {SEARCH_BUDGET}`), "
                  f"{how}; wall time and the CPU seconds of "
                  "all its processes (on a shared machine the CPU seconds are the steadier figure):", "",
                  "| run | before: wall, CPU | load | after: wall, CPU | load | after / before (wall, CPU) |",
                  "|---|---|---|---|---|---|"]
        for k, (b, a) in enumerate(suite):
            lines.append(f"| suite #{k + 1} | {b['wall']:.0f} s, {b['cpu']:.0f} s | {b['load']:.1f} "
                         f"| {a['wall']:.0f} s, {a['cpu']:.0f} s | {a['load']:.1f} "
                         f"| {a['wall'] / b['wall']:.2f}, {a['cpu'] / b['cpu']:.2f} |")
        same = all(b["verdicts"] == a["verdicts"] for b, a in suite)
        lines.append(f"\nVerdicts (kind, status) of all {len(suite[0][1]['verdicts'])} claims identical "
                     f"before and after: {'yes' if same else 'NO'}.")
    if search:
        lines += ["", "| search run | before: examples / s (per CPU s) | load | after: examples / s (per CPU s) "
                  "| load | after / before (wall, CPU) |", "|---|---|---|---|---|---|"]
        for k, (b, a) in enumerate(search):
            rb, ra = b["examples"] / b["wall"], a["examples"] / a["wall"]
            cb, ca = b["examples"] / b["cpu"], a["examples"] / a["cpu"]
            lines.append(f"| #{k + 1} | {rb:.2f} ({cb:.2f}; {b['examples']} in {b['wall']:.0f} s) | {b['load']:.1f} "
                         f"| {ra:.2f} ({ca:.2f}; {a['examples']} in {a['wall']:.0f} s) | {a['load']:.1f} "
                         f"| {ra / rb:.2f}, {ca / cb:.2f} |")
    return "\n".join(lines) + "\n"


COMPARE_SECTION = "## Native engine before and after (`python benchmarks/bench_native.py --compare-tree DIR`)"
KRAWCZYK_SECTION = "## Native engine in the stationary hunt (`python benchmarks/bench_native.py --krawczyk`)"
HESSIAN_SECTION = "## The Hessian's pair coefficients (`python benchmarks/bench_native.py --hessian-share`)"


def write_section(text: str, path: Path = RESULTS, section: str = SECTION) -> None:
    """Replace (or append) a native section of ``results_core.md`` (``text`` starts with its
    title ``section``), atomically."""
    old = path.read_text() if path.exists() else ""
    start = old.find(section + "\n")
    if start >= 0:
        end = old.find("\n## ", start + len(section))
        old = old[:start] + (old[end + 1:] if end >= 0 else "")
    new = old.rstrip("\n") + "\n\n" + text
    tmp = path.with_suffix(".tmp")
    tmp.write_text(new)
    os.replace(tmp, path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shapes (3 repeats) and compile time only")
    parser.add_argument("--before-tree", type=Path, help="a checkout of the commit before the engine")
    parser.add_argument("--runs", type=int, default=1, help="suite and search runs per side (default 1)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--compare-tree", type=Path,
                        help="only: native / tight of that tree (before) and this one (after), alternated")
    parser.add_argument("--krawczyk", action="store_true",
                        help="only: the stationary hunt's certify with either engine")
    parser.add_argument("--hessian-share", action="store_true",
                        help="only: the Hessian's pair coefficients' share of its time")
    parser.add_argument("--runs-of", type=Path, help="only the suite and search runs of this tree")
    parser.add_argument("--save-runs", type=Path, help="with --runs-of: write its runs here (JSON)")
    parser.add_argument("--before-runs", type=Path, help="saved runs of the tree before")
    parser.add_argument("--after-runs", type=Path, help="saved runs of the tree after")
    args = parser.parse_args(argv)
    only = None
    if args.compare_tree:
        names = ("before", "after")
        only = COMPARE_SECTION, tree_markdown(tree_ratios(dict(zip(names, (args.compare_tree, ROOT)))), names)
    elif args.krawczyk:
        only = KRAWCZYK_SECTION, krawczyk_markdown(krawczyk_rows())
    elif args.hessian_share:
        only = HESSIAN_SECTION, hessian_markdown(hessian_share())
    if only is not None:
        text = f"{only[0]}\n\n{only[1]}"
        print(text)
        if not args.no_write:
            write_section(text, section=only[0])
        return 0
    if args.runs_of:
        runs = [{"suite": suite_run(args.runs_of), "search": search_run(args.runs_of)}
                for _ in range(args.runs)]
        text = json.dumps(runs, indent=1)
        if args.save_runs:
            tmp = args.save_runs.with_suffix(".tmp")
            tmp.write_text(text)
            os.replace(tmp, args.save_runs)
        print(text)
        return 0
    shapes = shape_rows(3 if args.quick else 7)
    compile_times = first_call()
    suite = search = None
    if args.before_runs and args.after_runs:
        before, after = (json.loads(p.read_text()) for p in (args.before_runs, args.after_runs))
        suite = [(b["suite"], a["suite"]) for b, a in zip(before, after)]
        search = [(b["search"], a["search"]) for b, a in zip(before, after)]
    elif args.before_tree and not args.quick:
        suite, search = [], []
        for _ in range(args.runs):
            suite.append((suite_run(args.before_tree), suite_run(ROOT)))
            search.append((search_run(args.before_tree), search_run(ROOT)))
    how = ("the saved runs of the tree before (`--before-runs`) and after (`--after-runs`), one after "
           "the other" if args.before_runs else "the tree before the engine and this one, interleaved")
    text = markdown(shapes, compile_times, suite, search, how)
    print(text)
    if not args.no_write:
        write_section(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
