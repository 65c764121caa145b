"""Summaries of a campaign database, as JSON-able dicts (for ``campaign show`` and the report).

:func:`summary` returns::

    {
      "database": "path/to/campaign.sqlite",
      "schema": 2,
      "campaigns": [{"campaign", "tasks", "done", "failed", "timeout", "pending", "seconds"}, ...],
      "versions": [{"versions": {"proofs-check": ..., "python-flint": ..., ...}, "tasks": n}, ...],
      "failed": [{"key", "kind", "inputs", "error"}, ...],      # first line of each error
      "timeouts": [{"key", "kind", "inputs", "seconds", "worker"}, ...],  # stopped by their timeout
      "tasks": {TASK_TYPE: <that task type's summary>, ...},     # task types with rows only
    }

(``kind`` in ``failed`` and ``timeouts`` is the task type, as in the spec's ``kind`` key.)

and ``tasks["claim_check"]`` is one entry per (claim, samples), over the seeds run::

    {"claim", "samples", "seeds": [...], "runs", "expected",
     "kind": "proved", "checked" (N instances on balls) or "empirical" (fits), joined by "/"
     when the seeds differ (a refutation is of kind proved), "statuses": {status: count},
     "matches": count of runs whose status is the expected one,
     "min_margin": decimal string, "min_margin_error": decimal string, "min_margin_seed",
     "exponent_range": [lowest, highest] fitted exponent over the seeds, or None,
     "paper_exponent"}

The exponent range is empirical (a spread over seeds of fitted values), not a certified
bound; the minimum margin is the smallest margin over the seeds (for a proved or checked claim
a ball's midpoint with its radius as ``min_margin_error``; for an empirical one the fit's
margin with its stated error).

Each entry of ``tasks`` is its task type's ``summarize`` (``TaskType.summarize``): the
campaign's own in :mod:`proofs_check.campaign.tasks`, the teacher-student model's in
:mod:`proofs_check.models.teacher_student.campaign_tasks`.

``tasks["stationary"]`` is one entry per grid point without its seeds (geometry, Delta, r,
m, d, norms, activation), over the hunts run there (seeds, teacher draws)::

    {"geometry", "Delta", "r", "m", "d", "w_min", "w_max", "activation", "hunts",
     "lowest_spurious": {"loss", "loss_error", "kind", "task_key", "label", "config"} or None,
     "paper_eps0": eps0 of the witness's teacher (or of the first hunt's when none),
     "teacher_constants": {"Delta", "w_min", "w_max", "paper_eps0"} of that teacher (Delta is
         the actual smallest angle; the spec's Delta is a lower bound for "separated"),
     "paper_eps0_range": [lowest, highest] over the hunts' teachers,
     "log10_gap": log10(lowest spurious loss / paper_eps0) or None,
     "spurious_minima": hunts that certified a spurious local minimum (L > 0, Hessian > 0),
     "budget_exhausted": hunts stopped by their time budget (machine-dependent results)}

The lowest spurious loss is certified *for that point* (a Krawczyk certificate and a loss
ball); that no lower spurious point exists is not: it is the lowest the hunts found.

``tasks["worst_case"]`` is one entry per (claim, level, grid point without seeds)::

    {"claim", "level", "geometry", "Delta", "r", "m", "d", "w_min", "w_max", "runs",
     "ratio": smallest lhs/rhs found (for zgj.thm4: ||grad L|| / L, an empirical kappa at
     that level), "ratio_error", "task_key", "family", "teacher_constants"}

The ratio is a certified enclosure at the configuration found; that it is the worst case
is empirical (best of the optimiser's starts).
"""
from __future__ import annotations

import collections
import json
import sqlite3

from proofs_check.campaign.store import SCHEMA_VERSION, open_store
from proofs_check.campaign.tasks import TASKS
from proofs_check.errors import UsageError

__all__ = ["summary"]


def summary(db_path) -> dict:
    """Everything ``campaign show`` prints, from the database at ``db_path``."""
    with open_store(db_path, create=False) as store:
        try:
            rows = store.rows()
            campaigns = store.campaigns()
            findings = store.findings()
        except (sqlite3.DatabaseError, ValueError, KeyError, TypeError) as exc:
            # quick_check passed, but a row does not hold what a campaign writes
            raise UsageError(f"--db {str(db_path)!r} holds rows this proofs-check cannot read "
                             f"({type(exc).__name__}: {str(exc)[:120]}); it is damaged or was not "
                             "written by proofs-check campaign") from None
    versions = collections.Counter(json.dumps(r["versions"], sort_keys=True) for r in rows)
    done_by_type = collections.defaultdict(list)
    for row in rows:
        if row["status"] == "done":
            done_by_type[row["kind"]].append(row)
    tasks = {}
    for task_type, type_rows in sorted(done_by_type.items()):
        summarize = TASKS[task_type].summarize if task_type in TASKS else None
        if summarize is not None:
            keys = {r["key"] for r in type_rows}
            tasks[task_type] = summarize(type_rows, [f for f in findings if f["task_key"] in keys])
    return {
        "database": str(db_path),
        "schema": SCHEMA_VERSION,
        "campaigns": campaigns,
        "versions": [{"versions": json.loads(v), "tasks": n} for v, n in versions.most_common()],
        "failed": [{"key": r["key"], "kind": r["kind"], "inputs": r["inputs"],
                    "error": (r["error"] or "").splitlines()[0] if r["error"] else ""}
                   for r in rows if r["status"] == "failed"],
        "timeouts": [{"key": r["key"], "kind": r["kind"], "inputs": r["inputs"], "seconds": r["seconds"],
                      "worker": r["worker"]} for r in rows if r["status"] == "timeout"],
        "tasks": tasks,
    }
