"""proofs-check campaign SPEC.toml [--db PATH] [--scheduler ADDRESS] [--workers N]: run a campaign;
proofs-check campaign show [--db PATH] [--query WHAT] [--json]: summarise its database.

Running exits 0 when every task of the campaign is done and every claim check reaches
the verdict this tool is recorded to reach, 1 when some result is a finding (a claim's
status differs from the recorded one, a regression or a new finding), 2 on bad input (spec, options, database), 3 when some task failed with an
error (its row holds the error; campaign show --query failed lists them; re-run with
--retry-failed) or the execution itself broke (a worker process died, the Dask cluster
lost a worker, the database could not be written), 4 when the other tasks are done but
some were stopped by their timeout (campaign show --query timeouts; re-run with
--retry-timeouts), 130 when interrupted (Ctrl-C), 143 when terminated (SIGTERM).  Finished
tasks are kept in every case: re-run to resume.

A grid of more than 100000 tasks is refused before anything is written (--no-limits lifts
it); a database that is corrupt or belongs to something else is refused, naming which.

Exit codes: 0 done and matching, 1 a finding, 2 bad input, 3 a failed task or internal
error, 4 tasks timed out, 130 interrupted, 143 terminated.
"""
from __future__ import annotations

import json
import sqlite3
import sys
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from proofs_check.campaign import ExecutionSettings, load_spec, run_campaign, summary
from proofs_check.campaign.executors import ExecutionError
from proofs_check.errors import EXIT_TIMED_OUT, UsageError
from proofs_check.limits import limits_of
from proofs_check.plain_table import aligned_table

DEFAULT_DB = ".proofs-check/campaign.sqlite"
#: Exit code when a task failed with an error, or the execution broke (internal errors).
TASK_FAILED = EXECUTION_FAILED = 3
#: Exit code when no task failed and no result is a finding, but some tasks timed out.
TIMED_OUT = EXIT_TIMED_OUT
QUERIES = ("campaigns", "versions", "failed", "timeouts", "claims", "stationary", "worst_case", "families")


def register(subparsers):
    p = subparsers.add_parser(
        "campaign", help="run a grid of tasks into a database, or show its summary (campaign show)",
        description=__doc__)
    p.add_argument("spec", metavar="SPEC.toml|show", help="a campaign spec to run, or 'show'")
    p.add_argument("--db", default=DEFAULT_DB, metavar="PATH", help=f"SQLite database (default {DEFAULT_DB})")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="a Dask distributed scheduler, tcp://HOST:PORT (default: local processes)")
    p.add_argument("--workers", type=int, default=None, metavar="N", help="local worker processes (default: one per core)")
    p.add_argument("--retry-failed", action="store_true", help="run failed tasks again")
    p.add_argument("--retry-timeouts", action="store_true",
                   help="run tasks stopped by their timeout again (with the spec's timeout now)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--query", choices=QUERIES, default=None, help="show: one section only (default: all)")
    p.add_argument("--json", action="store_true", help="show: print the summary as JSON")
    p.set_defaults(handler=run)


def run(args) -> int:
    if args.spec == "show":
        return show(args)
    if args.db == DEFAULT_DB:  # the default's folder is ours to make; a named one must exist
        Path(DEFAULT_DB).parent.mkdir(exist_ok=True)
    elif not Path(args.db).parent.is_dir():  # before the spec is planned
        raise UsageError(f"--db {args.db!r}: the directory {str(Path(args.db).parent)!r} does not exist"
                         " (create it first)")
    spec = load_spec(args.spec, max_tasks=limits_of(args).max_campaign_tasks)
    try:
        outcome = run_campaign(spec, args.db, ExecutionSettings(
            workers=args.workers, scheduler=args.scheduler, retry_failed=args.retry_failed,
            retry_timeouts=args.retry_timeouts,
            progress=not args.no_progress))
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError):
            raise  # locked, full disk: the execution broke (below)
        raise UsageError(f"--db {args.db!r} is damaged: {exc}") from None
    except _execution_errors() as exc:
        print(f"proofs-check campaign: execution failed ({type(exc).__name__}: {exc}); "
              f"finished tasks are kept in {args.db}, re-run to resume", file=sys.stderr)
        return EXECUTION_FAILED
    print(f"campaign {outcome.campaign!r}: {outcome.tasks} tasks, {outcome.skipped} already in {args.db}, "
          f"{outcome.ran} run now ({outcome.done_now} done, {outcome.failed_now} failed"
          + (f", {outcome.timed_out_now} timed out" if outcome.timed_out_now else "")
          + (f", {outcome.stored_elsewhere} stored first by another campaign" if outcome.stored_elsewhere else "")
          + ")")
    if outcome.failed:
        print(f"{outcome.failed} task(s) failed with an error: proofs-check campaign show --db {args.db} --query failed")
        return TASK_FAILED
    if outcome.findings:
        print(f"{outcome.findings} result(s) differ from the paper's expectation: "
              f"proofs-check campaign show --db {args.db}")
        return 1
    if outcome.timed_out:
        print(f"{outcome.timed_out} task(s) stopped by their timeout: proofs-check campaign show --db {args.db} "
              "--query timeouts (--retry-timeouts runs them again)")
        return TIMED_OUT
    return 0


def _execution_errors() -> tuple:
    """Failures of the machinery rather than of the input or of one task."""
    errors = [BrokenProcessPool, sqlite3.OperationalError, ExecutionError]
    try:
        from distributed import KilledWorker
    except ImportError:  # pragma: no cover - dask[distributed] is a dependency
        pass
    else:
        errors.append(KilledWorker)
    return tuple(errors)


def show(args) -> int:
    data = summary(args.db)
    if args.json:
        print(json.dumps(data if args.query is None else _section(data, args.query), indent=1))
        return 0
    queries = QUERIES if args.query is None else (args.query,)
    print("\n\n".join(_format(data, q) for q in queries))
    return 0


def _section(data, query):
    if query == "claims":
        return data["tasks"].get("claim_check", [])
    if query in ("stationary", "worst_case"):
        return data["tasks"].get(query, [])
    if query == "families":
        return data["tasks"].get("family", [])
    return data[query]


def _format(data, query) -> str:
    rows = _section(data, query)
    if query == "campaigns":
        body = [(c["campaign"], c["tasks"], c["done"], c["failed"], c["timeout"], c["pending"], f"{c['seconds']:.1f}")
                for c in rows]
        return _table("campaigns (task s: the tasks' wall time in their workers)",
                      ("campaign", "tasks", "done", "failed", "timeout", "not run", "task s"), body)
    if query == "versions":
        body = [(n["tasks"], ", ".join(f"{k} {v}" for k, v in n["versions"].items())) for n in rows]
        return _table("versions that produced the rows", ("tasks", "versions"), body)
    if query == "failed":
        body = [(f["key"][:12], f["kind"], json.dumps(f["inputs"], sort_keys=True), f["error"]) for f in rows]
        return _table("failed tasks", ("key", "kind", "inputs", "error"), body)
    if query == "timeouts":
        body = [(t["key"][:12], t["kind"], json.dumps(t["inputs"], sort_keys=True), f"{t['seconds']:.1f}", t["worker"])
                for t in rows]
        return _table("tasks stopped by their timeout (process killed; --retry-timeouts runs them again)",
                      ("key", "kind", "inputs", "stopped after s", "worker"), body)
    if query == "stationary":
        body = [(s["geometry"], s["Delta"], f"{float(s['teacher_constants']['Delta']):.3f}", s["r"], s["m"], s["d"], _norms(s), s["hunts"],
                 "-" if not s["lowest_spurious"] else s["lowest_spurious"]["loss"][:14],
                 "-" if not s["lowest_spurious"] else s["lowest_spurious"]["kind"],
                 s["paper_eps0"], "-" if s["log10_gap"] is None else f"{s['log10_gap']:.1f}",
                 s["spurious_minima"], s["budget_exhausted"]) for s in rows]
        return _table("lowest certified spurious stationary loss per geometry (certified at the point; "
                      "lowest found, not proven lowest) beside the paper's eps0 (constant 1)",
                      ("geometry", "Delta >=", "Delta", "r", "m", "d", "norms", "hunts", "lowest spurious L", "kind",
                       "paper eps0", "log10 gap", "minima", "budget hit"), body)
    if query == "families":
        body = [(f["paper"], f["r"], ",".join(f["families"]),
                 "-" if not f["lowest_spurious"] else f["lowest_spurious"]["family"],
                 "-" if not f["lowest_spurious"] else f["lowest_spurious"]["kind"],
                 "-" if not f["lowest_spurious"] else f["lowest_spurious"]["loss"][:16],
                 f["paper_eps0"] or "-", "-" if f["log10_gap"] is None else f"{f['log10_gap']:.1f}",
                 f["budget_exhausted"]) for f in rows]
        return _table("lowest certified spurious member of the symmetric families per r (certified at the "
                      "point; lowest found in these families, not proven lowest)",
                      ("paper", "r", "families", "lowest in", "kind", "L", "paper eps0", "log10 gap", "budget hit"),
                      body)
    if query == "worst_case":
        body = [(w["claim"], w["level"], w["geometry"], w["Delta"], w["r"], w["m"], _norms(w),
                 f"{float(w['teacher_constants']['w_max']):.3f}", w["runs"],
                 w["ratio"], w["ratio_error"], w["family"]) for w in rows]
        return _table("smallest ratio lhs/rhs found on the level set (certified at the configuration; "
                      "worst case found, not proven worst; for zgj.thm4 an empirical kappa)",
                      ("claim", "level", "geometry", "Delta", "r", "m", "norms in", "w_max drawn", "runs",
                       "ratio", "+/-", "family"), body)
    body = [(c["claim"], c["samples"] or "default", len(c["seeds"]), c["kind"], c["expected"],
             " ".join(f"{k}:{v}" for k, v in c["statuses"].items()), f"{c['matches']}/{c['runs']}",
             c["min_margin"] or "-", c["min_margin_error"] or "-", c["min_margin_seed"],
             "-" if not c["exponent_range"] else f"[{c['exponent_range'][0]:.3f}, {c['exponent_range'][1]:.3f}]",
             c["paper_exponent"] or "-") for c in rows]
    return _table("claim checks over seeds (kind proved: rigorous; checked: N instances on balls, nothing beyond; empirical: by fits)",
                  ("claim", "samples", "seeds", "kind", "expected", "statuses", "match", "min margin", "+/-", "at seed",
                   "exponent range", "paper"), body)


def _norms(entry) -> str:
    return f"{entry['w_min']:g}" if entry["w_min"] == entry["w_max"] else f"[{entry['w_min']:g}, {entry['w_max']:g}]"


def _table(title, header, body) -> str:
    if not body:
        return f"{title}: none"
    return title + "\n" + aligned_table(header, body)
