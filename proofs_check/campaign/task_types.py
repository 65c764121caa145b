"""The vocabulary of campaign tasks: parameters, task types, task inputs and findings.

A task type is a pure function of its inputs (JSON scalars) returning a JSON-able result,
together with the parameters it accepts; :class:`TaskInputs` identifies one task by the
hash of its canonical JSON.  The registry of task types is :data:`proofs_check.campaign.tasks.TASKS`:
the campaign's own (a claim check, a symmetric family), and those a model declares
(``Model.task_types``; the teacher-student model's stationary-point hunt and margin
optimisation).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["REQUIRED", "Parameter", "Finding", "TaskType", "TaskInputs", "non_negative_int", "positive_int"]

REQUIRED = object()  # marker: the parameter has no default


@dataclass(frozen=True)
class Parameter:
    """One input of a task type: its name, JSON type, default and a validity check.

    ``check(value)`` returns ``None`` when the value is acceptable, else a phrase saying what
    it must be ("must be a non-negative integer").
    """

    name: str
    json_type: type | tuple  # JSON type(s) accepted
    doc: str
    default: Any = REQUIRED
    check: Callable[[Any], str | None] | None = None
    nullable: bool = False


@dataclass(frozen=True)
class Finding:
    """A configuration or certificate a task found, stored in its own table.

    ``finding_type`` says what it is ("counterexample", "worst", "stationary"; the
    ``kind`` column of the ``findings`` table), ``label`` tells findings of one task apart,
    ``loss`` is the loss (decimal string) when it has one.
    """

    finding_type: str
    label: str
    data: dict
    loss: str | None = None


@dataclass(frozen=True)
class TaskType:
    """A pure function ``run(**inputs) -> dict`` and what it accepts.

    ``normalize(inputs) -> inputs`` resolves derived inputs before the task is keyed (``m =
    "2r"`` becomes a number; a parameter the geometry ignores becomes ``None``), so that
    two spellings of one computation are one task; it raises ``ValueError("name: ...")``
    naming the parameter.  ``findings(result)`` extracts the configurations and
    certificates worth a row of their own; ``is_finding(result)`` says whether the result
    contradicts the paper (a claim's status differs from its expectation; a certified
    stationary point below the paper's eps0), which makes the campaign exit 1.
    ``summarize(done_rows, their_findings)`` (optional) is the task type's JSON-able entry
    in :func:`proofs_check.campaign.summary.summary` (``campaign show``, the report).
    """

    name: str
    doc: str
    parameters: tuple
    run: Callable[..., dict]
    findings: Callable[[dict], list] = lambda result: []
    is_finding: Callable[[dict], bool] = lambda result: False
    normalize: Callable[[dict], dict] = lambda inputs: inputs
    summarize: Callable[[list, list], Any] | None = None

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)


@dataclass(frozen=True)
class TaskInputs:
    """One task of a campaign: its task type and its (complete, validated) inputs.

    ``canonical`` is the JSON that identifies the task (sorted keys, no spaces), ``key`` its
    SHA-256: two campaigns asking for the same computation share the row (whatever their
    timeouts).

    >>> TaskInputs("claim_check", (("claim", "zgj.lemma11"), ("samples", 2), ("seed", 0))).canonical
    '{"inputs":{"claim":"zgj.lemma11","samples":2,"seed":0},"task":"claim_check"}'
    """

    task: str
    inputs: tuple  # sorted ((name, value), ...)
    #: Seconds after which the task is stopped (its process killed) and stored as ``timeout``;
    #: how a task is run, not what it computes, so it is not part of the key.
    timeout: float | None = field(default=None, compare=False)

    @property
    def canonical(self) -> str:
        return json.dumps({"task": self.task, "inputs": dict(self.inputs)}, sort_keys=True,
                          separators=(",", ":"), allow_nan=False)

    @property
    def key(self) -> str:
        return hashlib.sha256(self.canonical.encode()).hexdigest()

    def as_dict(self) -> dict:
        return dict(self.inputs)


def non_negative_int(x):
    return None if isinstance(x, int) and not isinstance(x, bool) and x >= 0 else "must be a non-negative integer"


def positive_int(x):
    return None if isinstance(x, int) and not isinstance(x, bool) and x >= 1 else "must be a positive integer"
