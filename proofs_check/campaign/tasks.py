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

import hashlib
import json
import os
import platform
import threading
import time
import traceback
from functools import lru_cache
from importlib import metadata

from proofs_check.campaign.geometry import geometry_parameters, normalize_geometry, teacher_constants, teacher_rows
from proofs_check.campaign.task_types import (REQUIRED, Finding, Parameter, TaskInputs, TaskType, non_negative_int,
                                         positive_int)
from proofs_check.limits import current_memory_cap, out_of_memory_message

__all__ = ["TASKS", "CLAIM_CHECK", "STATIONARY", "WORST_CASE", "FAMILY", "execute", "timeout_record", "versions",
           # re-exported from task_types, for one import of the task vocabulary
           "REQUIRED", "Finding", "Parameter", "TaskInputs", "TaskType"]


# -- a claim check (proofs_check.suite) ------------------------------------------------------

def _known_claim(claim_id):
    from proofs_check.registry import get_claim
    from proofs_check.errors import UsageError

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


CLAIM_CHECK = TaskType(
    name="claim_check",
    doc="check one registered claim (proofs_check.suite.check_one) at a sample budget and seed",
    parameters=(
        Parameter("claim", str, "claim id, as `proofs-check list` prints it", check=_known_claim),
        Parameter("samples", int, "samples (default: the claim's own)", default=None,
                  check=positive_int, nullable=True),
        Parameter("seed", int, "random seed", default=0, check=non_negative_int),
    ),
    run=_claim_check,
    findings=_claim_check_findings,
    is_finding=lambda result: result.get("status") != result.get("expected"),
)

# -- the stationary-point hunt (proofs_check.landscape) -------------------------------------

def _stationary(geometry, r, m, d, Delta, w_min, w_max, teacher_seed, activation, seed, starts, budget, dps) -> dict:
    from numeric.stationary import DEADLINE_PASSED
    from proofs_check.landscape import HuntSettings, landscape_json
    from proofs_check.models.teacher_student.hunt import hunt

    teacher = teacher_rows(geometry, r, d, Delta, w_min, w_max, teacher_seed)
    settings = HuntSettings(students=int(m), starts=starts, seed=seed, budget=budget, dps=dps, activation=activation)
    out = landscape_json(hunt(teacher, settings))
    out.pop("seconds", None)  # timing belongs to the task row
    # Points found in time but not certified before the budget ran out stay in the result,
    # uncertified (they are never findings).
    out["uncertified_by_budget"] = sum(DEADLINE_PASSED in p["classification"] for p in out["points"])
    # Either way the result depends on the machine's speed.
    out["budget_exhausted"] = out["starts"] < starts or out["uncertified_by_budget"] > 0
    out["teacher_constants"] = teacher_constants(teacher)
    return out


def _spurious(result: dict) -> list:
    """Certified stationary points with a loss certainly above 0 (not global minima)."""
    return [(i, p) for i, p in enumerate(result["points"]) if p["certified"] and p["kind"] != "global"
            and p["loss"] != "0"]


def _stationary_findings(result: dict) -> list:
    return [Finding("stationary", f"{i}:{p['kind']}", p, p["loss"]) for i, p in _spurious(result)]


def _below_eps0(result: dict) -> bool:
    """A certified spurious point whose loss ball lies entirely below the paper's eps0."""
    import mpmath

    with mpmath.workdps(60):  # the decimal strings carry up to 40 digits
        eps0 = mpmath.mpf(result["teacher_constants"]["paper_eps0"])
        return any(mpmath.mpf(p["loss"]) + mpmath.mpf(p["loss_error"]) < eps0 for _, p in _spurious(result))


STATIONARY = TaskType(
    name="stationary",
    doc="hunt, certify and classify stationary points (proofs_check.models.teacher_student.hunt.hunt) for one teacher",
    parameters=geometry_parameters("r for orthogonal, max(r, 3) for separated") + (
        Parameter("seed", int, "seed of the hunt's starts", default=0, check=non_negative_int),
        Parameter("starts", int, "descent starts", default=60, check=positive_int),
        Parameter("budget", float, "seconds after which no new start begins and no certificate is "
                  "tried (the result then depends on the machine: it is flagged budget_exhausted)", default=600.0,
                  check=lambda x: None if x > 0 else "must be positive"),
        Parameter("dps", int, "digits of the certificates", default=40,
                  check=lambda x: None if isinstance(x, int) and x >= 20 else "must be an integer >= 20"),
    ),
    run=_stationary,
    findings=_stationary_findings,
    is_finding=_below_eps0,
    normalize=normalize_geometry,
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


def _family_of_paper(inputs: dict) -> dict:
    from proofs_check.families import families_of

    try:
        families_of(inputs["paper"], [inputs["family"]])
    except KeyError:
        names = ", ".join(f.name for f in families_of(inputs["paper"]))
        raise ValueError(f"family: {inputs['family']!r} is not a family of paper {inputs['paper']} "
                         f"(use one of {names})") from None
    return inputs


FAMILY = TaskType(
    name="family",
    doc="follow one symmetric family (proofs_check.families) to r and certify its members there",
    parameters=(
        Parameter("paper", str, "zgj or ss", default="zgj",
                  check=lambda x: None if x in ("zgj", "ss") else "must be zgj or ss"),
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
)


# -- the margin optimisation (proofs_check.worst_case) -----------------------------------------

def _worst_case(claim, level, geometry, r, m, d, Delta, w_min, w_max, teacher_seed, activation, seed,
                starts_per_family, objective) -> dict:
    from proofs_check.registry import get_claim
    from proofs_check.worst_case import WorstCaseSettings, minimise_margin

    if activation != "abs":
        raise ValueError("worst_case: activation must be abs (the optimiser's samplers build abs configurations)")
    teacher = teacher_rows(geometry, r, d, Delta, w_min, w_max, teacher_seed)
    found = minimise_margin(get_claim(claim), teacher, students=int(m), level=level,
                            settings=WorstCaseSettings(starts_per_family=starts_per_family, seed=seed,
                                                       objective=objective))
    out = found.to_json()
    out["teacher_constants"] = teacher_constants(teacher)
    return out


WORST_CASE = TaskType(
    name="worst_case",
    doc="minimise a claim's ratio lhs/rhs on the level set {L = level} (proofs_check.worst_case)",
    parameters=(
        Parameter("claim", str, "claim id with a configuration-level `at` (default zgj.thm4: "
                  "the ratio is ||grad L|| / L, i.e. kappa at that level)", default="zgj.thm4", check=_known_claim),
        Parameter("level", float, "loss level", check=lambda x: None if 0 < x < 1 else "must lie in (0, 1)"),
    ) + geometry_parameters("r for orthogonal, max(r, 3) for separated") + (
        Parameter("seed", int, "seed of the sampled starts", default=0, check=non_negative_int),
        Parameter("starts_per_family", int, "sampled starts per sampler family", default=2, check=positive_int),
        Parameter("objective", str, "auto (the claim's declared objective, else both), gradient_norm "
                  "(the ratio grows with ||grad L|| at fixed L: zgj.thm4, contrast.pl) or margin (descend "
                  "the claim's own ratio)", default="auto",
                  check=lambda x: None if x in ("auto", "gradient_norm", "margin") else
                  "must be auto, gradient_norm or margin"),
    ),
    run=_worst_case,
    findings=lambda result: [Finding("worst_case", "minimiser", result, result.get("loss"))],
    normalize=normalize_geometry,
)

#: Every task type by name.  A new task type adds an entry here (and, for ``campaign show``, a
#: summary in :data:`proofs_check.campaign.summary.SUMMARIZERS`); the spec reader, the
#: store and the executors need no change.
TASKS = {task_type.name: task_type for task_type in (CLAIM_CHECK, STATIONARY, WORST_CASE, FAMILY)}


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
