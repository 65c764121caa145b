"""The check suite: run claims, collect verdicts, write the results JSON.

``run_suite`` returns ``{"schema_version", "seed", "samples", "claims": [verdict JSON, ...],
"figures": {...}}`` (see :mod:`proofs_check.schema`);
claims run in worker processes (one per core) and are reported in registry order, so the
same seed gives the same output.  Timings go to the progress display only: a progress
bar on a terminal, a plain line per claim otherwise.

An interrupt (Ctrl-C, or SIGTERM turned into :class:`~proofs_check.errors.Terminated` by
the command line) stops the worker processes at once, instead of waiting for the claims
they are running, and propagates.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import textwrap
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

from proofs_check.files import write_output
from proofs_check.registry import all_claims, get_claim
from proofs_check.errors import UsageError
from proofs_check.judgement import MARGIN_KINDS
from proofs_check.plain_table import aligned_table
from proofs_check.schema import SCHEMA_VERSION, validate_results

__all__ = ["run_suite", "check_one", "write_results", "parse_claim_ids", "format_table", "margin_text",
           "regression_text"]


def parse_claim_ids(text: str | None) -> list | None:
    """``"ID,ID2"`` -> ids (validated); None -> all.

    An empty list, an empty item or a repeated id is an error, not a silent default.

    >>> first, second = list(all_claims())[:2]
    >>> parse_claim_ids(f"{first}, {second}") == [first, second]
    True
    >>> try:
    ...     parse_claim_ids(f"{first},{first}")
    ... except UsageError as error:
    ...     print(str(error).replace(first, "ID"))
    --claims = 'ID,ID' names ID twice
    """
    if text is None:
        return None
    ids = [t.strip() for t in text.split(",")]
    if not any(ids):
        raise UsageError(f"--claims = {text!r} names no claim id (omit --claims for all claims)")
    if not all(ids):
        raise UsageError(f"--claims = {text!r} has an empty item between commas")
    seen = set()
    for cid in ids:
        if cid in seen:
            raise UsageError(f"--claims = {text!r} names {cid} twice")
        seen.add(cid)
        get_claim(cid)  # raises UsageError naming the id
    return ids


def check_one(claim_id: str, samples: int | None, seed: int) -> dict:
    """Run one claim and return its verdict as JSON (runs in a worker process)."""
    claim = get_claim(claim_id)
    start = time.perf_counter()
    verdict = claim.check(samples=samples, seed=seed)
    out = verdict.to_json()
    out["_seconds"] = time.perf_counter() - start
    return out


def run_suite(claim_ids=None, samples: int | None = None, seed: int = 0, progress: bool = False,
              workers: int | None = None) -> dict:
    """Check the claims (all registered ones by default) and return the results dict."""
    if samples is not None and samples < 1:
        raise UsageError(f"--samples = {samples} must be a positive integer")
    if not isinstance(seed, int) or seed < 0:
        raise UsageError(f"--seed = {seed} must be a non-negative integer")
    ids = list(claim_ids) if claim_ids else list(all_claims())
    for cid in ids:
        get_claim(cid)
    workers = workers or min(len(ids), os.cpu_count() or 1)
    bar = _progress(len(ids)) if progress else None
    results = {}
    try:
        if workers <= 1:
            for cid in ids:
                results[cid] = check_one(cid, samples, seed)
                _advance(bar, cid, results[cid])
        else:
            pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_signals,
                                       initargs=(os.getpid(),))
            try:
                futures = {pool.submit(check_one, cid, samples, seed): cid for cid in ids}
                for fut in as_completed(futures):
                    cid = futures[fut]
                    results[cid] = fut.result()
                    _advance(bar, cid, results[cid])
            except BaseException:
                _stop_workers(pool)
                raise
            pool.shutdown()
    finally:
        if bar is not None:
            bar.close()
    claims, figures = [], {}
    for cid in ids:
        entry = dict(results[cid])
        entry.pop("_seconds", None)
        figures.update(entry.pop("figures", None) or {})
        claims.append(entry)
    out = {"schema_version": SCHEMA_VERSION, "seed": seed, "samples": samples, "claims": claims}
    if figures:
        out["figures"] = figures
    return out


def _worker_signals(parent: int | None = None) -> None:
    """Worker initializer: Ctrl-C reaches the whole process group, but only the parent
    decides (it stops the workers); SIGTERM kills a worker outright, whatever handler
    the parent had installed before forking.  On Linux a worker is also killed when its
    parent dies without cleaning up (SIGKILL, a crash), so that none is ever orphaned."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))
        except (OSError, AttributeError):
            return
        if parent is not None and os.getppid() != parent:  # it died before prctl took effect
            os._exit(1)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Terminate the pool's workers now: ``shutdown`` would wait for the claims they are
    running (minutes), and a worker left behind keeps its memory and the parent's stdout."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public API before 3.14
    for process in processes:
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)


class _LineProgress:
    """A plain line per claim, for a log file or a pipe (no terminal control codes)."""

    def __init__(self, total: int):
        self.total, self.done = total, 0

    def advance(self, text: str) -> None:
        self.done += 1
        print(f"[{self.done}/{self.total}] {text}", file=sys.stderr, flush=True)

    def close(self) -> None:
        pass


class _BarProgress:
    def __init__(self, total: int):
        from tqdm import tqdm

        self.bar = tqdm(total=total, desc="claims", unit="claim", file=sys.stderr, leave=True)

    def advance(self, text: str) -> None:
        self.bar.set_postfix_str(text)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def _progress(total):
    """A tqdm bar on a terminal, a plain line per claim otherwise."""
    return _BarProgress(total) if sys.stderr.isatty() else _LineProgress(total)


def _advance(bar, cid, result):
    if bar is None:
        return
    mark = "ok" if result["status"] == result["expected"] else "MISMATCH"
    bar.advance(f"{cid}: {result['status']} ({mark}, {result['_seconds']:.1f}s)")


def write_results(results: dict, path) -> None:
    """Validate against the results schema (a mismatch is an internal error), then write the
    JSON atomically (``"-"``: to stdout): an interrupted run never leaves a torn file."""
    validate_results(results, produced=True)
    write_output(path, json.dumps(results, indent=1) + "\n", what="--json", error=UsageError)


def _short(x, n=10):
    if x is None:
        return "-"
    return x if len(x) <= n else f"{float(x):.3e}"


def _estimate_text(est: dict) -> str:
    parts = []
    if est.get("constant") is not None:
        parts.append(f"C~{_short(est['constant'])}")
    if est.get("exponent") is not None:
        ci = est.get("exponent_ci") or ["?", "?"]
        text = f"exp {float(est['exponent']):.3f} [{float(ci[0]):.3f},{float(ci[1]):.3f}]"
        if est.get("paper_exponent") is not None:
            text += f" vs paper {est['paper_exponent']}"
        parts.append(text)
    return " ".join(parts)


def margin_text(verdict: dict) -> str:
    """The deciding margin with the short name of what it measures (``rel``: lhs/rhs - 1,
    ``abs``: lhs - rhs, ``exp``: exponent units, ``dig``: certified digits, ``val``: the
    deciding quantity); ``-`` when there is none.

    >>> margin_text({"min_margin": "0.00123", "margin_kind": "relative"})
    'rel +1.23e-03'
    >>> margin_text({"min_margin": "29", "margin_kind": "digits"}), margin_text({"min_margin": None})
    ('dig 29', '-')
    """
    value = verdict.get("min_margin")
    if value is None:
        return "-"
    kind = verdict.get("margin_kind", "relative")
    label = MARGIN_KINDS.get(kind, ("?", ""))[0]
    if kind == "digits":
        return f"{label} {int(float(value))}"
    if kind == "exponent":
        return f"{label} {float(value):+.4f}"
    return f"{label} {float(value):+.2e}"


def regression_text(verdict: dict) -> str:
    """``ok`` when the verdict is the one this tool is recorded to reach, else ``MISMATCH``."""
    return "ok" if verdict["status"] == verdict["expected"] else "MISMATCH"


def format_table(results: dict, wide: bool = False) -> str:
    """The verdicts as a plain-text table: the default fits 100 columns (claim, kind, status,
    the paper's statement, the verdict against it, the regression check, N, the margin with
    what it measures); ``wide`` adds the recorded expectation, the scale range, the margin's
    error, the precision, the empirical estimate and where checked instances were drawn."""
    header = ["claim", "kind", "status", "paper", "vs paper", "tool", "N", "margin"]
    if wide:
        header += ["expected", "scale range", "+/-", "dps", "estimate (empirical)", "drawn from"]
    rows = []
    for c in results["claims"]:
        paper = (c.get("paper") or {}).get("says", "-")
        paper = "-" if paper == "silent" else paper
        row = [c["id"], c["kind"], c["status"], paper, c.get("versus_paper", "-"), regression_text(c),
               str(c["instances"] if c.get("instances") is not None else c["samples"]), margin_text(c)]
        if wide:
            lr = c.get("loss_range")
            row += [c["expected"], "-" if not lr else f"{_short(lr[0])}..{_short(lr[1])}",
                    _short(c.get("error")), str(c.get("dps")), _estimate_text(c.get("estimate") or {}),
                    c.get("drawn_from") or "-"]
        rows.append(row)
    lines = [aligned_table(header, rows), ""]
    legend = ("kind: proved = decided rigorously (branch and bound, Krawczyk, exact algebra); checked = "
              "each of N instances decided on balls, nothing proved beyond them; empirical = a fit or "
              "trend. refuted = a certified counterexample (a proof). paper: what the paper states (holds, "
              "fails, - when silent); "
              "vs paper: against = a finding against the paper; tool: ok when the verdict is the one "
              "this tool is recorded to reach (exit 0). margin: rel = lhs/rhs - 1, abs = lhs - rhs, "
              "exp = exponent units, dig = certified digits, val = the deciding quantity."
              + ("" if wide else " --wide or --json: more columns."))
    lines += textwrap.wrap(legend, 100)
    against = [c["id"] for c in results["claims"] if c.get("versus_paper") == "against"]
    if against:
        lines += textwrap.wrap(f"findings against the paper: {', '.join(against)}", 100, break_on_hyphens=False)
    return "\n".join(lines)
