"""The task registry: what a campaign can run at one grid point.

A task kind is a pure function of its inputs (JSON scalars) returning a JSON-able result,
together with the parameters it accepts.  A campaign is then a set of independent
``(kind, inputs)`` pairs; :func:`execute` runs one of them in whatever process it lands in
(a local worker or a Dask worker) and returns a record for the coordinating process to store.

>>> sorted(TASKS)
['claim_check', 'stationary', 'worst_case']
>>> TASKS["claim_check"].parameter("seed").default
0
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import re
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
    kind: type | tuple  # JSON type(s) accepted
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

    ``normalize(inputs) -> inputs`` resolves derived inputs before the task is keyed (``m =
    "2r"`` becomes a number; a parameter the geometry ignores becomes ``None``), so that
    two spellings of one computation are one task; it raises ``ValueError("name: ...")``
    naming the parameter.  ``findings(result)`` extracts the configurations and
    certificates worth a row of their own; ``is_finding(result)`` says whether the result
    contradicts the paper (a claim's status differs from its expectation; a certified
    stationary point below the paper's eps0), which makes the campaign exit 1.
    """

    name: str
    doc: str
    parameters: tuple
    run: Callable[..., dict]
    findings: Callable[[dict], list] = lambda result: []
    is_finding: Callable[[dict], bool] = lambda result: False
    normalize: Callable[[dict], dict] = lambda inputs: inputs

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

# -- teachers of a geometry (shared by the hunt and the margin optimisation) -------------------

GEOMETRIES = ("orthogonal", "separated")
_M_FORM = re.compile(r"^\s*(?:(\d*)\s*r\s*(?:\+\s*(\d+))?|(\d+))\s*$")


def students_for(m: str, r: int) -> int:
    """The width ``m`` from its spec form: ``"5"``, ``"r"``, ``"2r"``, ``"r+1"``, ``"2r+1"``.

    >>> [students_for(f, 3) for f in ("5", "r", "2r", "r+1", "2r + 1")]
    [5, 3, 6, 4, 7]
    """
    match = _M_FORM.match(m)
    if not match:
        raise ValueError(f"m: {m!r} must be a number or a multiple of r plus a number (\"2r\", \"r+1\")")
    factor, extra, plain = match.groups()
    if plain is not None:
        return int(plain)
    return (int(factor) if factor else 1) * r + (int(extra) if extra else 0)


def teacher_rows(geometry: str, r: int, d: int, Delta, w_min: float, w_max: float, teacher_seed: int) -> list:
    """The teacher of a grid point: ``r`` rows in ``R^d``.

    ``orthogonal``: ``norm_i e_i`` (axis-aligned, so the teacher's symmetries are exact);
    ``separated``: directions pairwise ``Delta``-separated up to sign
    (:func:`proofs_check.samplers.separated_teachers`).  Norms are uniform in
    ``[w_min, w_max]``, drawn with ``teacher_seed``.
    """
    import numpy as np

    from proofs_check.samplers import separated_teachers

    rng = np.random.default_rng([teacher_seed, r, d])
    if geometry == "orthogonal":
        norms = rng.uniform(w_min, w_max, size=r) if w_max > w_min else np.full(r, w_min)
        T = np.zeros((r, d))
        T[np.arange(r), np.arange(r)] = norms
        return T.tolist()
    return separated_teachers(rng, r, d, Delta=Delta, w_min=w_min, w_max=w_max).tolist()


def teacher_constants(teacher) -> dict:
    """The paper's constants of a teacher: ``Delta`` (smallest up-to-sign angle), ``w_min``,
    ``w_max``, and ``eps0 = Delta^36 w_min^80 r^-162 w_max^-78`` (hidden constant 1) as
    decimal strings."""
    import math

    import mpmath
    import numpy as np

    from proofs_check.claims.zgj.eps0 import paper_eps0
    from proofs_check.samplers import up_to_sign_angle

    T = np.asarray(teacher, float)
    r = len(T)
    Delta = min((up_to_sign_angle(T[i], T[j]) for i in range(r) for j in range(i)), default=math.pi / 2)
    norms = np.linalg.norm(T, axis=1)
    w_min, w_max = float(norms.min()), float(norms.max())
    return {"Delta": repr(Delta), "w_min": repr(w_min), "w_max": repr(w_max),
            "paper_eps0": mpmath.nstr(paper_eps0(Delta, w_min, w_max, r), 8)}


def _geometry_parameters(default_d: str) -> tuple:
    return (
        Parameter("geometry", str, "teacher geometry: orthogonal or separated",
                  check=lambda g: None if g in GEOMETRIES else f"must be one of {', '.join(GEOMETRIES)}"),
        Parameter("r", int, "number of teachers", check=_positive_int),
        Parameter("m", (str, int), 'students: a number, or "r", "2r", "r+1", ...', default="r"),
        Parameter("d", int, f"input dimension (default {default_d})", default=None,
                  check=_positive_int, nullable=True),
        Parameter("Delta", float, "separated: smallest up-to-sign angle between teachers (radians)",
                  default=0.5, check=lambda x: None if 0 < x <= 1.5707963267948966 else "must lie in (0, pi/2]"),
        Parameter("w_min", float, "smallest teacher norm", default=1.0,
                  check=lambda x: None if x > 0 else "must be positive"),
        Parameter("w_max", float, "largest teacher norm", default=1.0,
                  check=lambda x: None if x > 0 else "must be positive"),
        Parameter("teacher_seed", int, "seed of the teacher draw", default=0, check=_non_negative_int),
        Parameter("activation", str, "abs (the paper's network) or relu (App. A)", default="abs",
                  check=lambda a: None if a in ("abs", "relu") else "must be abs or relu"),
    )


def _normalize_geometry(inputs: dict) -> dict:
    out = dict(inputs)
    r = out["r"]
    out["m"] = str(students_for(str(out["m"]), r))
    if int(out["m"]) < r:
        raise ValueError(f"m: {inputs['m']!r} gives m = {out['m']} < r = {r} students")
    if out["w_max"] < out["w_min"]:
        raise ValueError(f"w_max: {out['w_max']} is below w_min = {out['w_min']}")
    if out["d"] is None:
        out["d"] = r if out["geometry"] == "orthogonal" else max(r, 3)
    if out["geometry"] == "orthogonal":
        out["Delta"] = None  # pi/2 by construction
        if out["d"] < r:
            raise ValueError(f"d: {out['d']} orthogonal teachers need d >= r = {r}")
    return out


# -- the stationary-point hunt (proofs_check.landscape) -------------------------------------

def _stationary(geometry, r, m, d, Delta, w_min, w_max, teacher_seed, activation, seed, starts, budget, dps) -> dict:
    from proofs_check.landscape import HuntSettings, hunt, landscape_json

    teacher = teacher_rows(geometry, r, d, Delta, w_min, w_max, teacher_seed)
    settings = HuntSettings(students=int(m), starts=starts, seed=seed, budget=budget, dps=dps, activation=activation)
    out = landscape_json(hunt(teacher, settings))
    out.pop("seconds", None)  # timing belongs to the task row
    out["budget_exhausted"] = out["starts"] < starts  # then the result depends on the machine's speed
    out["teacher_constants"] = teacher_constants(teacher)
    return out


def _spurious(result: dict) -> list:
    """Certified stationary points with a loss certainly above 0 (not global minima)."""
    return [(i, p) for i, p in enumerate(result["points"]) if p["certified"] and p["kind"] != "global"
            and p["loss"] != "0"]


def _stationary_findings(result: dict) -> list:
    return [Finding("stationary", f"{i}:{p['kind']}", p, p["loss"]) for i, p in _spurious(result)]


def _below_eps0(result: dict) -> bool:
    import mpmath

    eps0 = mpmath.mpf(result["teacher_constants"]["paper_eps0"])
    return any(mpmath.mpf(p["loss"]) + mpmath.mpf(p["loss_error"]) < eps0 for _, p in _spurious(result))


STATIONARY = TaskKind(
    name="stationary",
    doc="hunt, certify and classify stationary points (proofs_check.landscape.hunt) for one teacher",
    parameters=_geometry_parameters("r for orthogonal, max(r, 3) for separated") + (
        Parameter("seed", int, "seed of the hunt's starts", default=0, check=_non_negative_int),
        Parameter("starts", int, "descent starts", default=60, check=_positive_int),
        Parameter("budget", float, "seconds after which no new start begins (the result then depends "
                  "on the machine: it is flagged budget_exhausted)", default=600.0,
                  check=lambda x: None if x > 0 else "must be positive"),
        Parameter("dps", int, "digits of the certificates", default=40,
                  check=lambda x: None if isinstance(x, int) and x >= 20 else "must be an integer >= 20"),
    ),
    run=_stationary,
    findings=_stationary_findings,
    is_finding=_below_eps0,
    normalize=_normalize_geometry,
)


# -- the margin optimisation (proofs_check.worst_case) -----------------------------------------

def _worst_case(claim, level, geometry, r, m, d, Delta, w_min, w_max, teacher_seed, activation, seed,
                starts_per_family, objective) -> dict:
    from proofs_check.claims import get_claim
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


WORST_CASE = TaskKind(
    name="worst_case",
    doc="minimise a claim's ratio lhs/rhs on the level set {L = level} (proofs_check.worst_case)",
    parameters=(
        Parameter("claim", str, "claim id with a configuration-level `at` (default zgj.thm4: "
                  "the ratio is ||grad L|| / L, i.e. kappa at that level)", default="zgj.thm4", check=_known_claim),
        Parameter("level", float, "loss level", check=lambda x: None if 0 < x < 1 else "must lie in (0, 1)"),
    ) + _geometry_parameters("r for orthogonal, max(r, 3) for separated") + (
        Parameter("seed", int, "seed of the sampled starts", default=0, check=_non_negative_int),
        Parameter("starts_per_family", int, "sampled starts per sampler family", default=2, check=_positive_int),
        Parameter("objective", str, "gradient_norm (the ratio grows with ||grad L|| at fixed L: zgj.thm4, "
                  "contrast.pl) or margin (any claim: descend the claim's own ratio)", default="gradient_norm",
                  check=lambda x: None if x in ("gradient_norm", "margin") else "must be gradient_norm or margin"),
    ),
    run=_worst_case,
    findings=lambda result: [Finding("worst_case", "minimiser", result, result.get("loss"))],
    normalize=_normalize_geometry,
)

#: Every task kind by name.  A new kind adds an entry here (and, for ``campaign show``, a
#: summary in :data:`proofs_check.campaign.summary.SUMMARIZERS`); the spec reader, the
#: store and the executors need no change.
TASKS = {kind.name: kind for kind in (CLAIM_CHECK, STATIONARY, WORST_CASE)}


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
