"""Summaries of a campaign database, as JSON-able dicts (for ``campaign show`` and the report).

:func:`summary` returns::

    {
      "database": "path/to/campaign.sqlite",
      "schema": 1,
      "campaigns": [{"campaign", "tasks", "done", "failed", "pending", "seconds"}, ...],
      "versions": [{"versions": {"proofs-check": ..., "python-flint": ..., ...}, "tasks": n}, ...],
      "failed": [{"key", "kind", "inputs", "error"}, ...],      # first line of each error
      "tasks": {KIND: <that kind's summary>, ...},               # kinds with rows only
    }

and ``tasks["claim_check"]`` is one entry per (claim, samples), over the seeds run::

    {"claim", "samples", "seeds": [...], "runs", "expected", "statuses": {status: count},
     "matches": count of runs whose status is the expected one,
     "min_margin": decimal string, "min_margin_error": decimal string, "min_margin_seed",
     "exponent_range": [lowest, highest] fitted exponent over the seeds, or None,
     "paper_exponent"}

The exponent range is empirical (a spread over seeds of fitted values), not a certified
bound; the minimum margin is the smallest certified margin (a ball's midpoint, with its
radius as ``min_margin_error``) over the seeds.
"""
from __future__ import annotations

import collections
import json

import mpmath

from proofs_check.campaign.store import SCHEMA_VERSION, open_store

__all__ = ["summary", "claim_check_summary", "SUMMARIZERS"]


def summary(db_path) -> dict:
    """Everything ``campaign show`` prints, from the database at ``db_path``."""
    with open_store(db_path, create=False) as store:
        rows = store.rows()
        campaigns = store.campaigns()
        findings = store.findings()
    versions = collections.Counter(json.dumps(r["versions"], sort_keys=True) for r in rows)
    by_kind = collections.defaultdict(list)
    for row in rows:
        if row["status"] == "done":
            by_kind[row["kind"]].append(row)
    tasks = {}
    for kind, kind_rows in sorted(by_kind.items()):
        summarize = SUMMARIZERS.get(kind)
        if summarize is not None:
            tasks[kind] = summarize(kind_rows, [f for f in findings if f["task_key"] in {r["key"] for r in kind_rows}])
    return {
        "database": str(db_path),
        "schema": SCHEMA_VERSION,
        "campaigns": campaigns,
        "versions": [{"versions": json.loads(v), "tasks": n} for v, n in versions.most_common()],
        "failed": [{"key": r["key"], "kind": r["kind"], "inputs": r["inputs"],
                    "error": (r["error"] or "").splitlines()[0] if r["error"] else ""}
                   for r in rows if r["status"] == "failed"],
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
            "statuses": dict(sorted(statuses.items())),
            "matches": sum(res["status"] == res["expected"] for res in results),
            "min_margin": None if lowest is None else lowest[0],
            "min_margin_error": None if lowest is None else lowest[1],
            "min_margin_seed": None if lowest is None else lowest[2],
            "exponent_range": [min(exponents), max(exponents)] if exponents else None,
            "paper_exponent": paper.pop() if len(paper) == 1 else None,
        })
    return out


#: Per task kind, ``summarize(done_rows, their_findings) -> JSON-able``.
SUMMARIZERS = {"claim_check": claim_check_summary}
