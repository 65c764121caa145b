"""The task registry: what a campaign can run at one grid point.

A task kind is a pure function of its inputs (JSON scalars) returning a JSON-able result,
together with the parameters it accepts.  A campaign is then a set of independent
``(kind, inputs)`` pairs; :func:`execute` runs one of them in whatever process it lands in
(a local worker or a Dask worker) and returns a record for the coordinating process to store.

>>> sorted(TASKS)
['claim_check']
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
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from typing import Any, Callable

__all__ = ["Parameter", "TaskKind", "TaskInputs", "TASKS", "execute", "versions", "REQUIRED"]

REQUIRED = object()  # marker: the parameter has no default


@dataclass(frozen=True)
class Parameter:
    """One input of a task kind: its name, JSON type, default and a validity check.

    ``check(value)`` returns ``None`` when the value is acceptable, else a phrase saying what
    it must be ("must be a non-negative integer").
    """

    name: str
    kind: type
    doc: str
    default: Any = REQUIRED
    check: Callable[[Any], str | None] | None = None
    nullable: bool = False


@dataclass(frozen=True)
class Finding:
    """A configuration or certificate a task found, stored in its own table.

    ``kind`` says what it is ("counterexample", "worst", "stationary"), ``label`` tells
    findings of one task apart, ``loss`` is the loss (decimal string) when it has one.
    """

    kind: str
    label: str
    data: dict
    loss: str | None = None


@dataclass(frozen=True)
class TaskKind:
    """A pure function ``run(**inputs) -> dict`` and what it accepts.

    ``findings(result)`` extracts the configurations and certificates worth a row of their
    own; ``is_finding(result)`` says whether the result is a finding (a mismatch with the
    paper's expectation), which makes the campaign exit 1.
    """

    name: str
    doc: str
    parameters: tuple
    run: Callable[..., dict]
    findings: Callable[[dict], list] = lambda result: []
    is_finding: Callable[[dict], bool] = lambda result: False

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)


@dataclass(frozen=True)
class TaskInputs:
    """One task of a campaign: its kind and its (complete, validated) inputs.

    ``canonical`` is the JSON that identifies the task (sorted keys, no spaces), ``key`` its
    SHA-256: two campaigns asking for the same computation share the row.

    >>> TaskInputs("claim_check", (("claim", "zgj.lemma11"), ("samples", 2), ("seed", 0))).canonical
    '{"inputs":{"claim":"zgj.lemma11","samples":2,"seed":0},"task":"claim_check"}'
    """

    task: str
    inputs: tuple  # sorted ((name, value), ...)

    @property
    def canonical(self) -> str:
        return json.dumps({"task": self.task, "inputs": dict(self.inputs)}, sort_keys=True,
                          separators=(",", ":"), allow_nan=False)

    @property
    def key(self) -> str:
        return hashlib.sha256(self.canonical.encode()).hexdigest()

    def as_dict(self) -> dict:
        return dict(self.inputs)


# -- task kinds ------------------------------------------------------------------------------

def _non_negative_int(x):
    return None if isinstance(x, int) and not isinstance(x, bool) and x >= 0 else "must be a non-negative integer"


def _positive_int(x):
    return None if isinstance(x, int) and not isinstance(x, bool) and x >= 1 else "must be a positive integer"


def _known_claim(claim_id):
    from proofs_check.claims import get_claim
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


CLAIM_CHECK = TaskKind(
    name="claim_check",
    doc="check one registered claim (proofs_check.suite.check_one) at a sample budget and seed",
    parameters=(
        Parameter("claim", str, "claim id, as `proofs-check list` prints it", check=_known_claim),
        Parameter("samples", int, "samples (default: the claim's own)", default=None,
                  check=_positive_int, nullable=True),
        Parameter("seed", int, "random seed", default=0, check=_non_negative_int),
    ),
    run=_claim_check,
    findings=_claim_check_findings,
    is_finding=lambda result: result.get("status") != result.get("expected"),
)

#: Every task kind by name.  New kinds (a stationary-point hunt, a margin optimisation)
#: add an entry here; the spec reader, the store and the executors need no change.
TASKS = {kind.name: kind for kind in (CLAIM_CHECK,)}


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


def execute(task: str, canonical: str) -> dict:
    """Run one task from its canonical JSON; never raises for an error of the task itself.

    Returns ``{"key", "status": "done"|"failed", "result", "error", "started", "finished",
    "seconds", "versions", "worker"}``: ``error`` is ``"Type: message"`` plus the traceback's
    last frames when the task raised; times are Unix seconds, ``seconds`` a monotonic
    duration.
    """
    kind = TASKS[task]
    inputs = json.loads(canonical)["inputs"]
    with _ONE_TASK_AT_A_TIME:
        started, t0 = time.time(), time.perf_counter()
        try:
            result, status, error = kind.run(**inputs), "done", None
            json.dumps(result, allow_nan=False)  # a result must be storable
        except Exception as exc:  # recorded in the row: a failed task must not stop the campaign
            tb = "".join(traceback.format_exception(exc, limit=-3))
            result, status, error = None, "failed", f"{type(exc).__name__}: {exc}\n{tb}"
        seconds = time.perf_counter() - t0
    return {
        "key": hashlib.sha256(canonical.encode()).hexdigest(),
        "status": status,
        "result": result,
        "error": error,
        "started": started,
        "finished": started + seconds,
        "seconds": seconds,
        "versions": versions(),
        "worker": f"{platform.node()}:{os.getpid()}",
    }
