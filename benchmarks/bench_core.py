"""Core timings: 50-digit evaluation against numpy float64, and the symbolic derivation.

Run on demand (not part of the test suite)::

    python benchmarks/bench_core.py            # full run, a few minutes
    python benchmarks/bench_core.py --quick    # fewer repeats

Prints Markdown tables and writes them to ``benchmarks/results_core.md``.  Every time is the
median over repeats of ``timeit`` (each repeat runs the call ``number`` times, ``number``
chosen by ``Timer.autorange`` so a repeat lasts >= 0.2 s), all measured in one process, one
after the other, on the same configuration.  The issue's target: loss + gradient at 50 digits
within 30x of float64.
"""
from __future__ import annotations

import argparse
import os
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
from numeric.precise import evaluate  # noqa: E402

DPS = 50
SHAPES = ((3, 6, 5), (4, 8, 10), (8, 16, 20))
DERIVATION_WIDTHS = (2, 8, 32)
NAIVE_SHAPE = (4, 8, 10)
TARGET = 30.0
RESULTS = Path(__file__).resolve().parent / "results_core.md"


def configuration(r: int, m: int, d: int, seed: int = 0) -> Configuration:
    rng = np.random.default_rng(seed)
    return Configuration(rng.normal(size=(r, d)).tolist(), (0.8 * rng.normal(size=(m, d))).tolist())


def median_time(fn, repeat: int) -> float:
    """Median seconds per call of ``fn`` over ``repeat`` timeit repeats."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return statistics.median(t / number for t in timer.repeat(repeat=repeat, number=number))


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

def evaluation_rows(repeat: int) -> list[dict]:
    rows = []
    for r, m, d in SHAPES:
        config = configuration(r, m, d)
        T, S, act = float64.as_arrays(config)
        row = {"shape": (r, m, d)}
        row["f64_grad"] = median_time(lambda: float64.loss_and_gradient(T, S, act), repeat)
        row["f64_hess"] = median_time(lambda: float64.hessian(T, S, act), repeat)
        for backend in ("arb", "mpmath"):
            row[f"{backend}_grad"] = median_time(lambda: evaluate(config, DPS, backend=backend), repeat)
            row[f"{backend}_hess"] = median_time(
                lambda: evaluate(config, DPS, backend=backend, hessian=True), repeat)
        rows.append(row)
        print(f"  measured {(r, m, d)}", file=sys.stderr)
    return rows


def naive_row(repeat: int) -> dict:
    r, m, d = NAIVE_SHAPE
    config = configuration(r, m, d)
    T, S, act = float64.as_arrays(config)
    with mpmath.workdps(DPS):
        teacher = [[mpmath.mpf(x.numerator) / x.denominator for x in row] for row in config.teacher]
        student = [[mpmath.mpf(x.numerator) / x.denominator for x in row] for row in config.student]
        naive = median_time(lambda: naive_loss_and_gradient(teacher, student), repeat)
        # sanity: the baseline computes the same numbers
        L, G = naive_loss_and_gradient(teacher, student)
        e = evaluate(config, DPS, backend="mpmath")
        assert abs(L - e.loss) < mpmath.mpf(10) ** (10 - DPS) * (1 + abs(L))
        assert max(abs(a - b) for ra, rb in zip(G, e.gradient) for a, b in zip(ra, rb)) < 1e-35
    f64 = median_time(lambda: float64.loss_and_gradient(T, S, act), repeat)
    arb = median_time(lambda: evaluate(config, DPS, backend="arb"), repeat)
    return {"shape": NAIVE_SHAPE, "naive": naive, "f64": f64, "arb": arb}


def derivation_rows(repeat: int) -> list[dict]:
    from symbolic.pair import pair_derivatives

    try:
        from symbolic.loss import loss_expression
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


def markdown(evals, naive, derivs, repeat: int) -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "# Core benchmark",
        "",
        f"`python benchmarks/bench_core.py`; median of {repeat} timeit repeats; {DPS} digits; "
        f"Python {platform.python_version()}, numpy {np.__version__}, mpmath {mpmath.__version__}; "
        f"{os.cpu_count()} CPUs, load average {load:.1f} at the end of the run.",
        "",
        f"## Loss + gradient at {DPS} digits vs numpy float64 `loss_and_gradient` (target <= {TARGET:g}x)",
        "",
        "| (r, m, d) | float64 | arb | arb / float64 | mpmath | mpmath / float64 | arb meets target |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in evals:
        a = row["arb_grad"] / row["f64_grad"]
        p = row["mpmath_grad"] / row["f64_grad"]
        lines.append(f"| {row['shape']} | {_t(row['f64_grad'])} | {_t(row['arb_grad'])} | {a:.1f}x "
                     f"| {_t(row['mpmath_grad'])} | {p:.1f}x | {'yes' if a <= TARGET else 'NO'} |")
    lines += [
        "",
        f"## Hessian (with loss and gradient) at {DPS} digits vs numpy float64 `hessian`",
        "",
        "| (r, m, d) | float64 | arb | arb / float64 | mpmath | mpmath / float64 |",
        "|---|---|---|---|---|---|",
    ]
    for row in evals:
        lines.append(f"| {row['shape']} | {_t(row['f64_hess'])} | {_t(row['arb_hess'])} "
                     f"| {row['arb_hess'] / row['f64_hess']:.1f}x | {_t(row['mpmath_hess'])} "
                     f"| {row['mpmath_hess'] / row['f64_hess']:.1f}x |")
    lines += [
        "",
        f"## Naive pure-mpmath loop (baseline, loss + gradient at {DPS} digits)",
        "",
        "| (r, m, d) | float64 | naive mpmath loop | naive / float64 | arb | naive / arb |",
        "|---|---|---|---|---|---|",
        f"| {naive['shape']} | {_t(naive['f64'])} | {_t(naive['naive'])} | {naive['naive'] / naive['f64']:.0f}x "
        f"| {_t(naive['arb'])} | {naive['naive'] / naive['arb']:.1f}x |",
        "",
        "## Symbolic derivation",
        "",
        "The derivation is pair-level: `pair_derivatives.__wrapped__(\"abs\")` does not depend on m "
        "(measured once: median of 3 cold calls, SymPy cache cleared before each); the loss expression `symbolic.loss.loss_expression(r, m)` "
        "(r = m/2) is a sum of O(m^2) unevaluated kernels.",
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
    args = parser.parse_args(argv)
    repeat = 3 if args.quick else 7
    evals = evaluation_rows(repeat)
    naive = naive_row(repeat)
    derivs = derivation_rows(3)
    text = markdown(evals, naive, derivs, repeat)
    print(text)
    Path(args.output).write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
