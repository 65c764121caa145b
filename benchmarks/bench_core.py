"""Core timings: every evaluation path against a tight numpy float64 baseline, side by side.

Run on demand (not part of the test suite)::

    python benchmarks/bench_core.py            # full run, a few minutes
    python benchmarks/bench_core.py --quick    # fewer repeats

Prints Markdown tables and writes them to ``benchmarks/results_core.md``.

The denominator is :func:`tight_numpy_loss_and_gradient`, written here independently of
``numeric/``: one Gram matrix, the pair formulas on whole arrays, two matrix products for the
gradient.  Every path is timed in the same process, interleaved: each repeat times every path
once (``number`` calls, chosen by ``Timer.autorange`` so a call batch lasts >= 0.2 s), and a
path's figure is the median over repeats.  BLAS runs on one thread for every path (the
machine is shared; small products gain nothing from threads).  Targets (issue 11): loss +
gradient at 50 digits within 30x of the baseline up to (16, 64, 32) and 60x at
(32, 128, 64); the float64 path within 1.5x; the Hessian at 50 digits within 30x of the numpy
float64 Hessian.

Columns besides the baseline: the project's float64 path; a quad screen (the baseline's own
formula on ``numpy-quaddtype``'s 113-bit floats, without any error bound: a lower bound on the
cost of a vectorised quad screen); 50-digit balls; and the float64 screen of
``numeric.float64_enclosure`` (loss and gradient with a rigorous error bound, as balls), which is what a
filtered decision costs when the screen decides (screen + balls when it escalates).
"""
from __future__ import annotations

import argparse
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before numpy is imported
import platform
import statistics
import sys
import time
import timeit
from pathlib import Path

import mpmath
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from numeric import float64  # noqa: E402
from numeric.config import Configuration  # noqa: E402
from numeric.float64_enclosure import loss_gradient_enclosure  # noqa: E402
from numeric.precise import evaluate  # noqa: E402

try:
    import numpy_quaddtype
    numpy_quaddtype.set_num_threads(1)  # like BLAS: one thread on a shared machine
except ImportError:  # optional: pip install numpy-quaddtype
    numpy_quaddtype = None

DPS = 50
SHAPES = ((3, 6, 5), (4, 8, 10), (8, 16, 20), (16, 64, 32), (32, 128, 64))
#: The ball Hessian has (md)^2 entries; beyond these shapes it takes minutes per call.
HESSIAN_SHAPES = ((3, 6, 5), (4, 8, 10), (8, 16, 20))
DERIVATION_WIDTHS = (2, 8, 32)
NAIVE_SHAPE = (4, 8, 10)
TARGET = 30.0
WIDE_TARGET = 60.0  # at (32, 128, 64)
FLOAT64_TARGET = 1.5
RESULTS = Path(__file__).resolve().parent / "results_core.md"


def configuration(r: int, m: int, d: int, seed: int = 0) -> Configuration:
    rng = np.random.default_rng(seed)
    return Configuration(rng.normal(size=(r, d)).tolist(), (0.8 * rng.normal(size=(m, d))).tolist())


def median_time(fn, repeat: int) -> float:
    """Median seconds per call of ``fn`` over ``repeat`` timeit repeats."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return statistics.median(t / number for t in timer.repeat(repeat=repeat, number=number))


def side_by_side(paths: dict, repeat: int) -> dict:
    """Median seconds per call of each path, the paths interleaved within every repeat so that
    a change of machine load hits all of them alike."""
    timers = {name: timeit.Timer(fn) for name, fn in paths.items()}
    numbers = {name: t.autorange()[0] for name, t in timers.items()}
    samples = {name: [] for name in paths}
    for _ in range(repeat):
        for name, timer in timers.items():
            samples[name].append(timer.timeit(numbers[name]) / numbers[name])
    return {name: statistics.median(v) for name, v in samples.items()}


# -- the tight baseline --------------------------------------------------------------------------

def tight_numpy_loss_and_gradient(teacher: np.ndarray, student: np.ndarray):
    """TIGHT BASELINE, independent of ``numeric/``: loss and gradient of the absolute-value
    network in float64 with the fewest array operations we know.

    Effective vectors ``z = |w| w`` (students, c = +1) and ``w*`` (teachers, c = -1); one Gram
    matrix of the unit vectors gives every angle; ``k = (2/pi)|a||b|(sin t + (pi/2 - t) cos t)``
    on the whole array; the gradient is ``|w| (I + w_bar w_bar^T) y`` with
    ``y_j = sum_b c_b (2/pi) (|z_b| sin t u_hat_j + (pi/2 - t) z_b)``, two matrix products.
    """
    w_norm = np.linalg.norm(student, axis=1)
    z = np.vstack([student * w_norm[:, None], teacher])
    c = np.concatenate([np.ones(len(student)), -np.ones(len(teacher))])
    z_norm = np.linalg.norm(z, axis=1)
    units = z / z_norm[:, None]
    cos = np.clip(units @ units.T, -1.0, 1.0)
    t = np.arccos(cos)
    sin = np.sqrt(1.0 - cos * cos)
    x = c * z_norm
    loss = x @ ((2 / np.pi) * (sin + (np.pi / 2 - t) * cos)) @ x / 2
    m = len(student)
    y = ((1 - (2 / np.pi) * t[:m]) @ (c[:, None] * z)
         + ((2 / np.pi) * sin[:m] @ x)[:, None] * units[:m])
    grad = w_norm[:, None] * (y + np.einsum("jk,jk->j", y, units[:m])[:, None] * units[:m])
    return loss, grad


def tight_quad_loss_and_gradient(teacher: np.ndarray, student: np.ndarray):
    """The tight baseline's formula on 113-bit floats (``numpy-quaddtype``), arrays in and out
    of the quad dtype; no error bound.  Single-threaded quad BLAS (the machine is shared).
    Two silent wrong results of numpy-quaddtype 1.0.0 are worked around: ``np.einsum``
    returns zeros, and ``@`` with a transposed (non-contiguous) operand returns wrong numbers."""
    Q = numpy_quaddtype.QuadPrecDType()
    one, two, pi = numpy_quaddtype.QuadPrecision(1), numpy_quaddtype.QuadPrecision(2), numpy_quaddtype.pi
    teacher, student = teacher.astype(Q), student.astype(Q)
    w_norm = np.sqrt((student * student).sum(axis=1))
    z = np.concatenate([student * w_norm[:, None], teacher])
    m = len(student)
    c = np.concatenate([np.ones(m, dtype=Q), -np.ones(len(teacher), dtype=Q)])
    z_norm = np.sqrt((z * z).sum(axis=1))
    units = z / z_norm[:, None]
    cos = np.minimum(np.maximum(units @ np.ascontiguousarray(units.T), -one), one)
    t = np.arccos(cos)
    sin = np.sqrt(one - cos * cos)
    x = c * z_norm
    loss = x @ ((two / pi) * (sin + (pi / two - t) * cos)) @ x / two
    y = ((one - (two / pi) * t[:m]) @ (c[:, None] * z)
         + ((two / pi) * sin[:m] @ x)[:, None] * units[:m])
    grad = w_norm[:, None] * (y + (y * units[:m]).sum(axis=1)[:, None] * units[:m])
    return loss, grad


# -- the naive baseline ------------------------------------------------------------------------

def naive_loss_and_gradient(teacher, student):
    """NAIVE BASELINE, for reference only: the closed form written the obvious way, with mpmath
    numbers in Python lists, ``acos`` for every angle, and a loop over all pairs.

    ``L = 1/2 sum_ab c_a c_b k(z_a, z_b)`` over students ``z = |w| w`` (c = +1) and teachers
    (c = -1), ``k = (2/pi) |a||b| (sin t + (pi/2 - t) cos t)``, and
    ``grad_w L = |w| (I + w_bar w_bar^T) sum_b c_b G(z_b, z)`` with
    ``G(v, u) = (2/pi) ((pi/2 - t) v + |v| sin t u_hat)``.  Call inside ``mpmath.workdps``.
    """
    def dot(p, q):
        return sum(x * y for x, y in zip(p, q))

    def norm(p):
        return mpmath.sqrt(dot(p, p))

    pi = mpmath.pi
    zs = [(1, [norm(w) * x for x in w]) for w in student] + [(-1, list(t)) for t in teacher]
    loss = mpmath.mpf(0)
    for ca, za in zs:
        for cb, zb in zs:
            na, nb = norm(za), norm(zb)
            t = mpmath.acos(max(-1, min(1, dot(za, zb) / (na * nb))))
            loss += ca * cb * 2 / pi * na * nb * (mpmath.sin(t) + (pi / 2 - t) * mpmath.cos(t))
    loss /= 2
    gradient = []
    for w in student:
        nw = norm(w)
        u = [nw * x for x in w]
        nu = norm(u)
        y = [mpmath.mpf(0)] * len(w)
        for cb, zb in zs:
            nb = norm(zb)
            t = mpmath.acos(max(-1, min(1, dot(u, zb) / (nu * nb))))
            y = [yk + cb * 2 / pi * ((pi / 2 - t) * vk + nb * mpmath.sin(t) * uk / nu)
                 for yk, vk, uk in zip(y, zb, u)]
        wbar = [x / nw for x in w]
        along = dot(wbar, y)
        gradient.append([nw * (yk + along * bk) for yk, bk in zip(y, wbar)])
    return loss, gradient


# -- measurements --------------------------------------------------------------------------------

def evaluation_rows(repeat: int, shapes=SHAPES) -> list[dict]:
    rows = []
    for r, m, d in shapes:
        config = configuration(r, m, d)
        T, S, act = float64.as_arrays(config)
        # sanity: the baseline and the project compute the same numbers
        L0, G0 = tight_numpy_loss_and_gradient(T, S)
        L1, G1 = float64.loss_and_gradient(T, S, act)
        e = evaluate(config, DPS, engine="python-flint")
        assert abs(L0 - L1) <= 1e-12 * abs(L0) and np.abs(G0 - G1).max() <= 1e-11 * np.abs(G0).max()
        assert e.loss.contains(mpmath.mpf(L1)) or abs(float(e.loss) - L1) <= 1e-12 * abs(L1)
        screen = loss_gradient_enclosure(config, DPS)
        assert screen.loss.contains(e.loss)  # the screen encloses the 50-digit ball
        paths = {
            "tight": lambda: tight_numpy_loss_and_gradient(T, S),
            "f64_grad": lambda: float64.loss_and_gradient(T, S, act),
            "arb_grad": lambda: evaluate(config, DPS, engine="python-flint"),
            "native_grad": lambda: evaluate(config, DPS, engine="native"),
            "screen": lambda: loss_gradient_enclosure(config, DPS),
        }
        if numpy_quaddtype is not None:
            Lq, _ = tight_quad_loss_and_gradient(T, S)
            assert abs(float(Lq) - L0) <= 1e-12 * abs(L0)
            paths["quad"] = lambda: tight_quad_loss_and_gradient(T, S)
        if (r, m, d) in HESSIAN_SHAPES:
            paths["f64_hess"] = lambda: float64.hessian(T, S, act)
            paths["arb_hess"] = lambda: evaluate(config, DPS, hessian=True)
        row = {"shape": (r, m, d)} | side_by_side(paths, repeat)
        rows.append(row)
        print(f"  measured {(r, m, d)}", file=sys.stderr)
    return rows


FLOOR_SHAPES = ((16, 64, 32), (32, 128, 64))


def floor_rows(repeat: int) -> list[dict]:
    """What 50-digit balls cannot go below with python-flint, per shape: the two unavoidable
    pieces of loss + gradient timed alone, next to the tight baseline.

    * ``pairs``: for each of the ``n (n - 1) / 2`` pairs (n = m + r), ``sqrt(1 - c^2)`` and
      ``atan2`` on balls -- one Python-level call each, as python-flint has no vectorised
      elementwise functions;
    * ``product``: one ``n x n`` by ``n x d`` ``arb_mat`` product (50-digit balls times exact
      integers), the gradient's ``sum_b phi_v[a, b] c_b z_b``.
    """
    import flint
    from flint import arb, arb_mat

    rows = []
    for r, m, d in FLOOR_SHAPES:
        n = m + r
        config = configuration(r, m, d)
        T, S, _ = float64.as_arrays(config)
        rng = np.random.default_rng(1)
        with flint.ctx.workdps(DPS):
            cosines = [arb(c) / 3 for c in rng.uniform(-1, 1, size=n * (n - 1) // 2).tolist()]

            def pairs():
                for c in cosines:
                    s = (1 - c * c).sqrt()
                    arb.atan2(s, c)

            left = arb_mat([[arb(x) / 3 for x in row] for row in rng.normal(size=(n, n)).tolist()])
            right = arb_mat(rng.integers(-2**52, 2**52, size=(n, d)).tolist())
            times = side_by_side({
                "tight": lambda: tight_numpy_loss_and_gradient(T, S),
                "pairs": pairs,
                "product": lambda: left * right,
            }, repeat)
        rows.append({"shape": (r, m, d), "n_pairs": len(cosines)} | times)
    return rows


PER_SAMPLE_CLAIMS = ("zgj.thm4", "contrast.pl")
SEARCH_CLAIMS, SEARCH_EXAMPLES, SEARCH_REPEATS = ("contrast.pl", "zgj.thm4"), 60, 5


def per_sample_rows() -> list[dict]:
    """Per-sample cost of the suite (one claim at its default samples) and of the search, with
    the time spent inside the evaluator (``numeric.precise._evaluate``, which every call of
    ``evaluate`` goes through).  The evaluator's share bounds what any faster evaluation --
    a float64 filter included -- could save per sample.  The search runs with and without the
    float64 screen (Hypothesis phase only: no optimiser, no refinement), and the two must find
    the same best example with the same margin.  Single runs, not medians: they take
    seconds each."""
    import tempfile

    import numeric.precise as precise
    from proofs_check import search as engine
    from proofs_check.suite import check_one

    spent = {"seconds": 0.0, "calls": 0}
    original = precise._evaluate

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent["seconds"] += time.perf_counter() - start
            spent["calls"] += 1

    rows = []
    precise._evaluate = timed
    # The share measured is the python-flint evaluator's (numeric.native has its own table in
    # bench_native.py), so every ball evaluation here goes through precise._evaluate.
    python_flint_only = precise.ball_engine("python-flint")
    python_flint_only.__enter__()
    try:
        for claim_id in PER_SAMPLE_CLAIMS:
            spent.update(seconds=0.0, calls=0)
            start = time.perf_counter()
            out = check_one(claim_id, None, 0)
            total = time.perf_counter() - start
            rows.append({"what": f"suite: `{claim_id}`", "samples": out["samples"], "total": total}
                        | dict(spent))
        for claim_id in SEARCH_CLAIMS:
            found, runs = {}, {False: [], True: []}
            for _ in range(SEARCH_REPEATS):  # interleaved: a change of load hits both alike
                for screen in (False, True):
                    spent.update(seconds=0.0, calls=0)
                    with tempfile.TemporaryDirectory() as tmp:
                        start = time.perf_counter()
                        result = engine.search(claim_id, max_examples=SEARCH_EXAMPLES, seed=0,
                                               database=None, save_dir=Path(tmp), refine_steps=0,
                                               optimise=False, budget=None, screen=screen)
                        total = time.perf_counter() - start
                    found[screen] = (result.best.config, str(result.best.margin))
                    runs[screen].append((total, spent["seconds"], spent["calls"], result))
            for screen in (False, True):
                total, seconds, calls, result = sorted(runs[screen], key=lambda t: t[0])[SEARCH_REPEATS // 2]
                counts = result.screen_counts
                rows.append({"what": f"search: `{claim_id}`, {SEARCH_EXAMPLES} examples, "
                                     + ("float64 screen" if screen else "all balls"),
                             "samples": result.examples, "total": total, "seconds": seconds,
                             "calls": calls,
                             "escalated": (f"{counts.escalated} of {counts.screened + counts.escalated}"
                                           if screen else "")})
            assert found[False] == found[True], "the screen changed the search's result"
    finally:
        python_flint_only.__exit__(None, None, None)
        precise._evaluate = original
    return rows


def naive_row(repeat: int) -> dict:
    r, m, d = NAIVE_SHAPE
    config = configuration(r, m, d)
    T, S, act = float64.as_arrays(config)
    with mpmath.workdps(DPS):
        teacher = [[mpmath.mpf(x.numerator) / x.denominator for x in row] for row in config.teacher]
        student = [[mpmath.mpf(x.numerator) / x.denominator for x in row] for row in config.student]
        # sanity: the baseline computes the same numbers
        L, G = naive_loss_and_gradient(teacher, student)
        e = evaluate(config, DPS, backend="mpmath")
        assert abs(L - e.loss) < mpmath.mpf(10) ** (10 - DPS) * (1 + abs(L))
        assert max(abs(a - b) for ra, rb in zip(G, e.gradient) for a, b in zip(ra, rb)) < 1e-35
        times = side_by_side({
            "tight": lambda: tight_numpy_loss_and_gradient(T, S),
            "naive": lambda: naive_loss_and_gradient(teacher, student),
            "arb": lambda: evaluate(config, DPS, backend="arb"),
        }, repeat)
    return {"shape": NAIVE_SHAPE} | times


def derivation_rows(repeat: int) -> list[dict]:
    from symbolic.pair import pair_derivatives

    try:
        from symbolic.kernel_sum import loss_expression
    except ImportError:
        loss_expression = None
    pair = _cold_time(lambda: pair_derivatives.__wrapped__("abs"), repeat)
    rows = []
    for m in DERIVATION_WIDTHS:
        r = max(1, m // 2)
        loss_t = _cold_time(lambda: loss_expression(r, m), repeat) if loss_expression else None
        rows.append({"m": m, "r": r, "pair": pair, "loss": loss_t})
    return rows


def _cold_time(fn, repeat: int) -> float:
    """Median seconds of single calls, each after clearing SymPy's global cache (a warm
    cache would otherwise turn a repeated derivation into a lookup)."""
    from sympy.core.cache import clear_cache

    times = []
    for _ in range(repeat):
        clear_cache()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# -- report ---------------------------------------------------------------------------------------

def _t(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def markdown(evals, naive, derivs, repeat: int, floors=None, per_sample=None) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "# Core benchmark",
        "",
        f"`python benchmarks/bench_core.py`; median of {repeat} interleaved timeit repeats; {DPS} digits; "
        f"Python {platform.python_version()}, numpy {np.__version__}, mpmath {mpmath.__version__}; "
        f"{os.cpu_count()} CPUs, one BLAS thread, load average {load:.1f} at the end of the run.",
        "",
        "## Loss + gradient: each path / the tight numpy float64 baseline",
        "",
        f"Targets: float64 <= {FLOAT64_TARGET:g}x; {DPS}-digit balls (`evaluate(config, {DPS})`) "
        f"<= {TARGET:g}x up to (16, 64, 32), <= {WIDE_TARGET:g}x at (32, 128, 64).",
        "",
        "| (r, m, d) | tight numpy | project float64 | float64 target | quad screen (no bound) "
        f"| {DPS}-digit balls (python-flint) | balls target | native balls (`numeric.native`) "
        "| float64 screen (bounded) | balls / screen |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in evals:
        t = row["tight"]
        f = row["f64_grad"] / t
        a = row["arb_grad"] / t
        target = WIDE_TARGET if row["shape"][1] > 64 else TARGET
        quad = f"{_t(row['quad'])} ({row['quad'] / t:.0f}x)" if "quad" in row else "n/a"
        lines.append(f"| {row['shape']} | {_t(t)} | {_t(row['f64_grad'])} ({f:.2f}x) "
                     f"| {'yes' if f <= FLOAT64_TARGET else 'NO'} | {quad} "
                     f"| {_t(row['arb_grad'])} ({a:.0f}x) | {'yes' if a <= target else 'NO'} "
                     f"| {_t(row['native_grad'])} ({row['native_grad'] / t:.0f}x) "
                     f"| {_t(row['screen'])} ({row['screen'] / t:.0f}x) "
                     f"| {row['arb_grad'] / row['screen']:.1f}x |")
    lines += [
        "",
        "A filtered decision costs the float64 screen when the screen decides, and the screen plus "
        "the balls when it escalates (`numeric.filtered`).  The quad column is the baseline's own "
        "formula on 113-bit floats without any bound, so a bounded quad screen would cost more.",
    ]
    lines += [
        "",
        f"## Hessian (with loss and gradient) at {DPS} digits vs the numpy float64 `numeric.float64.hessian`"
        f" (target <= {TARGET:g}x)",
        "",
        "| (r, m, d) | float64 Hessian | ball Hessian | ratio | target |",
        "|---|---|---|---|---|",
    ]
    for row in evals:
        if "arb_hess" not in row:
            continue
        h = row["arb_hess"] / row["f64_hess"]
        lines.append(f"| {row['shape']} | {_t(row['f64_hess'])} | {_t(row['arb_hess'])} | {h:.1f}x "
                     f"| {'yes' if h <= TARGET else 'NO'} |")
    if floors:
        lines += [
            "",
            f"## The floor for {DPS}-digit balls: the unavoidable pieces alone, / the tight baseline",
            "",
            "| (r, m, d) | pairs | sqrt + atan2 on every pair | ratio | one n x n by n x d `arb_mat` product "
            "| ratio | sum of the two |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in floors:
            p, q = row["pairs"] / row["tight"], row["product"] / row["tight"]
            lines.append(f"| {row['shape']} | {row['n_pairs']} | {_t(row['pairs'])} | {p:.0f}x "
                         f"| {_t(row['product'])} | {q:.0f}x | {p + q:.0f}x |")
    if per_sample:
        lines += [
            "",
            "## Per-sample cost of the suite and the search, and the evaluator's share",
            "",
            "Suite: single runs (seed 0).  Search: the median run of 5, with and without the screen "
            "interleaved.  The search decides each Hypothesis example's margin on the float64 "
            "screen and escalates to balls when its sign is uncertain (`search(..., screen=True)`, "
            "not the default: see the README); both runs find the same best example with the same margin (asserted).  The "
            "suite's claims are not screened (see the README); the evaluator's share bounds what any "
            "faster evaluation could save there.  Most ball evaluations of the search are the "
            "samplers' level search (`configuration_at_level`: a secant on loss midpoints), "
            "which a screen cannot serve without changing the samples; only the margin of each "
            "example is screened.",
            "",
            "| run | samples | total | per sample | evaluator calls (balls) | in the ball evaluator "
            "| share | escalated to balls |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for row in per_sample:
            lines.append(f"| {row['what']} | {row['samples']} | {_t(row['total'])} "
                         f"| {_t(row['total'] / max(1, row['samples']))} | {row['calls']} "
                         f"| {_t(row['seconds'])} | {row['seconds'] / row['total']:.0%} "
                         f"| {row.get('escalated', '')} |")
    if naive is not None:
        lines += [
            "",
            f"## Naive pure-mpmath loop (loss + gradient at {DPS} digits) against the same baseline",
            "",
            "| (r, m, d) | tight numpy | naive mpmath loop | naive / tight | balls | naive / balls |",
            "|---|---|---|---|---|---|",
            f"| {naive['shape']} | {_t(naive['tight'])} | {_t(naive['naive'])} "
            f"| {naive['naive'] / naive['tight']:.0f}x | {_t(naive['arb'])} | {naive['naive'] / naive['arb']:.1f}x |",
        ]
    if derivs is not None:
        lines += [
            "",
            "## Symbolic derivation",
            "",
            "The derivation is pair-level: `pair_derivatives.__wrapped__(\"abs\")` depends on neither m nor d "
            "(median of 3 cold calls, SymPy cache cleared before each); the loss expression "
            "`symbolic.kernel_sum.loss_expression(r, m)` (r = m/2) is a sum of O(m^2) unevaluated kernels.",
            "",
            "| m | pair derivation | loss expression | total |",
            "|---|---|---|---|",
        ]
        for row in derivs:
            loss = row["loss"]
            total = row["pair"] + (loss or 0.0)
            lines.append(f"| {row['m']} | {_t(row['pair'])} | {_t(loss) if loss is not None else 'n/a'} "
                         f"| {_t(total)} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 7")
    parser.add_argument("--output", default=str(RESULTS), help="where to write the Markdown table")
    parser.add_argument("--shapes-only", action="store_true",
                        help="only the evaluation tables (no naive loop, no derivation)")
    args = parser.parse_args(argv)
    repeat = 3 if args.quick else 7
    evals = evaluation_rows(repeat)
    floors = floor_rows(repeat)
    if args.shapes_only:
        text = markdown(evals, None, None, repeat, floors)
        print(text)
        if args.output != str(RESULTS):
            Path(args.output).write_text(text)
        return 0
    naive = naive_row(repeat)
    per_sample = per_sample_rows()
    derivs = derivation_rows(3)
    text = markdown(evals, naive, derivs, repeat, floors, per_sample)
    print(text)
    out = Path(args.output)
    if out.exists():  # keep the section bench_native.py writes
        old = out.read_text()
        start = old.find("## Native engine")
        if start >= 0:
            text = text.rstrip("\n") + "\n\n" + old[start:]
    out.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
