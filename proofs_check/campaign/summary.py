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

import mpmath

from proofs_check.campaign.store import SCHEMA_VERSION, open_store
from proofs_check.errors import UsageError

__all__ = ["summary", "claim_check_summary", "family_summary", "SUMMARIZERS"]


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
        summarize = SUMMARIZERS.get(task_type)
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


def claim_check_summary(rows, findings) -> list:
    """Per (claim, samples): statuses over the seeds, the smallest margin and where it was."""
    groups = collections.defaultdict(list)
    for row in rows:
        groups[(row["inputs"]["claim"], row["inputs"]["samples"])].append(row)
    out = []
    for (claim, samples), group in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0)):
        group.sort(key=lambda r: r["inputs"]["seed"])
        results = [r["result"] for r in group]
        statuses = collections.Counter(res["status"] for res in results)
        margins = [(res["min_margin"], res.get("error"), r["inputs"]["seed"])
                   for r, res in zip(group, results) if res.get("min_margin") is not None]
        lowest = min(margins, key=lambda m: mpmath.mpf(m[0])) if margins else None
        exponents = [float(res["estimate"]["exponent"]) for res in results
                     if res.get("estimate") and res["estimate"].get("exponent") is not None]
        paper = {res["estimate"].get("paper_exponent") for res in results if res.get("estimate")} - {None}
        out.append({
            "claim": claim,
            "samples": samples,
            "seeds": [r["inputs"]["seed"] for r in group],
            "runs": len(group),
            "expected": results[0]["expected"],
            "kind": "/".join(sorted({res.get("kind") or "?" for res in results})),
            "statuses": dict(sorted(statuses.items())),
            "matches": sum(res["status"] == res["expected"] for res in results),
            "min_margin": None if lowest is None else lowest[0],
            "min_margin_error": None if lowest is None else lowest[1],
            "min_margin_seed": None if lowest is None else lowest[2],
            "exponent_range": [min(exponents), max(exponents)] if exponents else None,
            "paper_exponent": paper.pop() if len(paper) == 1 else None,
        })
    return out


_POINT = ("geometry", "Delta", "r", "m", "d", "w_min", "w_max", "activation")


def _point_key(inputs, extra=()):
    return tuple(inputs.get(k) for k in (*extra, *_POINT))


def _sort_key(key):
    """Numbers (and digit strings such as m) in numeric order, then text, then None."""
    def sortable(v):
        if v is None:
            return (2, 0, "")
        if isinstance(v, (int, float)) or (isinstance(v, str) and v.isdigit()):
            return (0, float(v), "")
        return (1, 0, str(v))
    return tuple(sortable(v) for v in key)


def stationary_summary(rows, findings) -> list:
    """Per grid point: the lowest certified spurious stationary loss, beside the paper's eps0."""
    groups = collections.defaultdict(list)
    for row in rows:
        groups[_point_key(row["inputs"])].append(row)
    spurious = collections.defaultdict(list)
    for f in findings:
        if f["kind"] == "stationary":
            spurious[f["task_key"]].append(f)
    out = []
    for key, group in sorted(groups.items(), key=lambda kv: _sort_key(kv[0])):
        candidates = [f for row in group for f in spurious[row["key"]]]
        best = min(candidates, key=lambda f: mpmath.mpf(f["loss"])) if candidates else None
        constants = {row["key"]: row["result"]["teacher_constants"] for row in group}
        eps0 = {k: c["paper_eps0"] for k, c in constants.items()}
        witness = constants[best["task_key"] if best else group[0]["key"]]
        witness_eps0 = witness["paper_eps0"]
        entry = dict(zip(_POINT, key))
        entry.update({
            "hunts": len(group),
            "lowest_spurious": None if best is None else {
                "loss": best["loss"], "loss_error": best["data"].get("loss_error"), "kind": best["data"]["kind"],
                "task_key": best["task_key"], "label": best["label"], "config": best["data"]["config"]},
            "paper_eps0": witness_eps0,
            "teacher_constants": witness,
            "paper_eps0_range": [min(eps0.values(), key=mpmath.mpf), max(eps0.values(), key=mpmath.mpf)],
            "log10_gap": None if best is None else float(mpmath.log10(mpmath.mpf(best["loss"]) / mpmath.mpf(witness_eps0))),
            "spurious_minima": sum(any(f["data"]["kind"] == "minimum" for f in spurious[row["key"]]) for row in group),
            "budget_exhausted": sum(bool(row["result"].get("budget_exhausted")) for row in group),
        })
        out.append(entry)
    return out


def worst_case_summary(rows, findings) -> list:
    """Per (claim, level, grid point): the smallest ratio lhs/rhs the optimiser found."""
    groups = collections.defaultdict(list)
    for row in rows:
        groups[_point_key(row["inputs"], ("claim", "level"))].append(row)
    out = []
    for key, group in sorted(groups.items(), key=lambda kv: _sort_key(kv[0])):
        best = min(group, key=lambda row: mpmath.mpf(row["result"]["ratio"]))
        entry = dict(zip(("claim", "level", *_POINT), key))
        entry.update({
            "runs": len(group),
            "ratio": best["result"]["ratio"],
            "ratio_error": best["result"]["ratio_error"],
            "task_key": best["key"],
            "family": best["result"]["family"],
            "teacher_constants": best["result"]["teacher_constants"],
        })
        out.append(entry)
    return out


def family_summary(rows, findings) -> list:
    """Per (paper, r): the lowest certified spurious member over the family tasks (certified
    at the point; lowest found in the families followed, not proven lowest)."""
    groups = collections.defaultdict(list)
    for row in rows:
        groups[(row["inputs"]["paper"], row["inputs"]["r"])].append(row)
    out = []
    for (paper, r), group in sorted(groups.items()):
        lows = [row["result"]["lowest_spurious"] for row in group if row["result"].get("lowest_spurious")]
        best = min(lows, key=lambda m: mpmath.mpf(m["loss"])) if lows else None
        eps0 = group[0]["result"].get("paper_eps0")
        out.append({"paper": paper, "r": r, "families": sorted(row["inputs"]["family"] for row in group),
                    "lowest_spurious": best, "paper_eps0": eps0,
                    "log10_gap": (None if best is None or eps0 is None
                                  else float(mpmath.log10(mpmath.mpf(best["loss"]) / mpmath.mpf(eps0)))),
                    "budget_exhausted": sum(bool(row["result"].get("budget_exhausted")) for row in group)})
    return out


#: Per task type, ``summarize(done_rows, their_findings) -> JSON-able``.
SUMMARIZERS = {"claim_check": claim_check_summary, "stationary": stationary_summary,
               "worst_case": worst_case_summary, "family": family_summary}
