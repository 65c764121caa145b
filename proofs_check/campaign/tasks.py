"""The task registry: what a campaign can run at one grid point.

A task type (:class:`~proofs_check.campaign.task_types.TaskType`) is a pure function of its
inputs (JSON scalars) returning a JSON-able result, together with the parameters it
accepts.  A campaign is then a set of independent
``(task type, inputs)`` pairs; :func:`execute` runs one of them in whatever process it lands in
(a local worker or a Dask worker) and returns a record for the coordinating process to store.

>>> sorted(TASKS)
['claim_check', 'family', 'stationary', 'worst_case']
>>> TASKS["claim_check"].parameter("seed").default
0
"""
from __future__ import annotations

import collections
import hashlib
import json
import os
import platform
import threading
import time
import traceback
from collections.abc import MutableMapping
from functools import lru_cache
from importlib import metadata

import mpmath

from proofs_check.campaign.task_types import (REQUIRED, Finding, Parameter, TaskInputs, TaskType, non_negative_int,
                                         positive_int)
from proofs_check.limits import current_memory_cap, out_of_memory_message

__all__ = ["TASKS", "TaskTypes", "CLAIM_CHECK", "FAMILY", "execute", "known_claim", "timeout_record", "versions",
           # re-exported from task_types, for one import of the task vocabulary
           "REQUIRED", "Finding", "Parameter", "TaskInputs", "TaskType"]


# -- a claim check (proofs_check.suite) ------------------------------------------------------

def known_claim(claim_id):
    """A claim parameter's check: ``None`` when ``claim_id`` is a registered claim (or is
    ``None``, a default its task type's ``normalize`` fills in), else what is wrong."""
    from proofs_check.registry import get_claim
    from proofs_check.errors import UsageError

    if claim_id is None:
        return None
    try:
        get_claim(claim_id)
    except UsageError as exc:
        return f"is not a claim: {exc}"
    return None


def _claim_check(claim: str, samples: int | None, seed: int) -> dict:
    from proofs_check.suite import check_one

    result = check_one(claim, samples, seed)
    result.pop("_seconds", None)  # timing belongs to the task row, not to the result
    return result


def _claim_check_findings(result: dict) -> list:
    out = []
    if result.get("counterexample"):
        cx = result["counterexample"]
        out.append(Finding("counterexample", "counterexample", cx, _loss_of(cx)))
    worst = result.get("worst")
    if worst and worst.get("config"):
        out.append(Finding("worst", "worst", worst, _loss_of(worst)))
    return out


def _loss_of(witness: dict) -> str | None:
    for key in ("loss", "L", "scale"):
        if isinstance(witness.get(key), str):
            return witness[key]
    return None


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


CLAIM_CHECK = TaskType(
    name="claim_check",
    doc="check one registered claim (proofs_check.suite.check_one) at a sample budget and seed",
    parameters=(
        Parameter("claim", str, "claim id, as `proofs-check list` prints it", check=known_claim),
        Parameter("samples", int, "samples (default: the claim's own)", default=None,
                  check=positive_int, nullable=True),
        Parameter("seed", int, "random seed", default=0, check=non_negative_int),
    ),
    run=_claim_check,
    findings=_claim_check_findings,
    is_finding=lambda result: result.get("status") != result.get("expected"),
    summarize=claim_check_summary,
)

# -- one r of the symmetric families (proofs_check.families) ---------------------------------

def _family(paper, family, r, starts, branches, seed, dps, budget) -> dict:
    import time as _time

    from proofs_check.families import FollowSettings, families_of, follow_family, lowest_spurious
    from proofs_check.registry import get_paper

    settings = FollowSettings(paper=paper, r_max=r, r_min=r, starts=starts, branches=branches, seed=seed,
                              dps=dps, budget=budget)
    members, notes = follow_family(paper, families_of(paper, [family])[0], settings,
                                   deadline=_time.monotonic() + budget)
    out = {"paper": paper, "family": family, "r": r, "members": [m.to_dict() for m in members],
           "notes": list(notes), "budget_exhausted": any("budget" in n for n in notes)}
    low = lowest_spurious(members).get(r)
    out["lowest_spurious"] = None if low is None else low.to_dict()
    threshold = get_paper(paper).threshold  # a paper that states a threshold: its eps0 at r orthonormal teachers
    if threshold is not None:
        import mpmath

        out["paper_eps0"] = mpmath.nstr(threshold.bound(mpmath.pi / 2, 1, 1, r), 5)
    return out


def _family_findings(result: dict) -> list:
    return [Finding("stationary", f"{m['family']}:{m['branch']}:{m['kind']}", m, m["loss"])
            for m in result["members"] if m["certified"] and m["kind"] != "global"]


def _family_below_eps0(result: dict) -> bool:
    import mpmath

    low = result.get("lowest_spurious")
    if "paper_eps0" not in result or low is None:
        return False
    with mpmath.workdps(60):
        return mpmath.mpf(low["loss"]) + mpmath.mpf(low["loss_error"]) < mpmath.mpf(result["paper_eps0"])


def _known_family(paper_and_name):
    from proofs_check.families import FAMILIES

    return None if paper_and_name in {f.name for f in FAMILIES} else (
        "must be one of " + ", ".join(f.name for f in FAMILIES))


def _family_paper(paper):
    from proofs_check.families.definitions import family_papers

    if paper is None:
        return None  # the first paper that declares families (_family_of_paper)
    papers = family_papers()
    return None if paper in papers else f"must be a paper that declares families: {', '.join(papers)}"


def _family_of_paper(inputs: dict) -> dict:
    """No paper read as the first paper (registry order) that declares families, and the
    family checked to be one of that paper's (before the task is keyed)."""
    from proofs_check.families import families_of
    from proofs_check.families.definitions import family_papers

    inputs = dict(inputs)
    if inputs.get("paper") is None:
        papers = list(family_papers())
        if not papers:
            raise ValueError("paper: no registered paper declares symmetric families")
        inputs["paper"] = papers[0]
    try:
        families_of(inputs["paper"], [inputs["family"]])
    except KeyError:
        names = ", ".join(f.name for f in families_of(inputs["paper"]))
        raise ValueError(f"family: {inputs['family']!r} is not a family of paper {inputs['paper']} "
                         f"(use one of {names})") from None
    return inputs


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


FAMILY = TaskType(
    name="family",
    doc="follow one symmetric family (proofs_check.families) to r and certify its members there",
    parameters=(
        Parameter("paper", str, "id of a paper that declares symmetric families (default: the first "
                  "in the registry's order, Zhou-Ge-Jin)", default=None, check=_family_paper, nullable=True),
        Parameter("family", str, "family name (proofs-check families --help)", check=_known_family),
        Parameter("r", int, "number of teachers", check=lambda x: None if isinstance(x, int) and 2 <= x <= 200
                  else "must be an integer between 2 and 200"),
        Parameter("starts", int, "random starts of the seed search", default=16, check=positive_int),
        Parameter("branches", int, "branches followed", default=3, check=positive_int),
        Parameter("seed", int, "seed of the seed search", default=0, check=non_negative_int),
        Parameter("dps", int, "digits of the certificates", default=40,
                  check=lambda x: None if isinstance(x, int) and 20 <= x <= 400 else "must be an integer in 20..400"),
        Parameter("budget", float, "seconds after which no member is begun", default=600.0,
                  check=lambda x: None if x > 0 else "must be positive"),
    ),
    run=_family,
    findings=_family_findings,
    is_finding=_family_below_eps0,
    normalize=_family_of_paper,
    summarize=family_summary,
)


class TaskTypes(MutableMapping):
    """Every task type by name: the campaign's own (:data:`CLAIM_CHECK`, :data:`FAMILY`) and
    those the models declare (``Model.task_types``: the built-in models', then those of the
    registered papers' models, a plugin's included), read from the model records at each
    lookup, so that importing the campaign loads no model.  Two task types of one name are an
    error naming both.  A test may replace an entry (``monkeypatch.setitem``)."""

    def __init__(self, own: tuple):
        self._own = own
        self._replaced: dict = {}

    def _declared(self) -> dict:
        from proofs_check.models import builtin_models
        from proofs_check.registry import all_papers

        models = list(builtin_models())
        models += [paper.model for paper in all_papers().values()
                   if paper.model is not None and paper.model not in models]
        declared = [(task_type, "the campaign") for task_type in self._own]
        declared += [(task_type, f"model {model.name!r}") for model in models for task_type in model.task_types]
        types, owner_of = {}, {}
        for task_type, owner in declared:
            if task_type.name in types and types[task_type.name] is not task_type:
                raise ValueError(f"task type {task_type.name!r} is declared twice: by {owner_of[task_type.name]} "
                                 f"and by {owner}")
            types[task_type.name], owner_of[task_type.name] = task_type, owner
        return {**types, **self._replaced}

    def __getitem__(self, name):
        return self._declared()[name]

    def __setitem__(self, name, task_type):
        self._replaced[name] = task_type

    def __delitem__(self, name):
        del self._replaced[name]

    def __iter__(self):
        return iter(self._declared())

    def __len__(self):
        return len(self._declared())

    def __repr__(self):
        return f"TaskTypes({sorted(self)})"


#: Every task type by name.  A new task type is declared by its model (``Model.task_types``)
#: or, if it takes any paper, added to the campaign's own here; the spec reader, the store,
#: the executors and ``campaign show`` (the task type's ``summarize``) need no change.
TASKS = TaskTypes((CLAIM_CHECK, FAMILY))


# -- execution (in a worker) -----------------------------------------------------------------

_PACKAGES = ("proofs-check", "python-flint", "mpmath", "sympy", "numpy")

# mpmath's and python-flint's working precision are process-wide, so two tasks must never
# run in one process at once (a Dask worker with several threads would do that).
_ONE_TASK_AT_A_TIME = threading.Lock()


@lru_cache(maxsize=1)
def versions() -> dict:
    """Versions of the packages that produce results, and of Python."""
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def timeout_record(canonical: str, timeout: float, started: float, seconds: float, worker: str) -> dict:
    """The record of a task stopped after ``seconds`` (at least its ``timeout``), with the
    fields of :func:`execute`'s records; ``started`` is Unix seconds."""
    return {
        "key": hashlib.sha256(canonical.encode()).hexdigest(),
        "status": "timeout",
        "result": None,
        "error": f"timeout: stopped after {seconds:.1f} s (timeout {timeout:g} s), its process killed",
        "started": started,
        "finished": started + seconds,
        "seconds": seconds,
        "versions": versions(),
        "worker": worker,
    }


def execute(task: str, canonical: str) -> dict:
    """Run one task from its canonical JSON; never raises for an error of the task itself.

    Returns ``{"key", "status": "done"|"failed", "result", "error", "started", "finished",
    "seconds", "versions", "worker"}``: ``error`` is ``"Type: message"`` plus the traceback's
    last frames when the task raised; times are Unix seconds, ``seconds`` a monotonic
    duration.
    """
    task_type = TASKS[task]
    inputs = json.loads(canonical)["inputs"]
    key = hashlib.sha256(canonical.encode()).hexdigest()
    with _ONE_TASK_AT_A_TIME:
        started, t0 = time.time(), time.perf_counter()
        try:
            result, status, error = task_type.run(**inputs), "done", None
            json.dumps(result, allow_nan=False)  # a result must be storable
        except Exception as exc:  # recorded in the row: a failed task must not stop the campaign
            tb = "".join(traceback.format_exception(exc, limit=-3))
            first = (out_of_memory_message(exc, current_memory_cap()) if isinstance(exc, MemoryError)
                     else f"{type(exc).__name__}: {exc}")  # an empty "MemoryError:" said nothing
            result, status, error = None, "failed", f"{first}\n{tb}"
        seconds = time.perf_counter() - t0
    return {
        "key": key,
        "status": status,
        "result": result,
        "error": error,
        "started": started,
        "finished": started + seconds,
        "seconds": seconds,
        "versions": versions(),
        "worker": f"{platform.node()}:{os.getpid()}",
    }
