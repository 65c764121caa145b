"""The teacher-student model's campaign task types: the stationary-point hunt and the
margin optimisation, each on a teacher of a named geometry (:mod:`.teacher_geometry`).

Both compare what they find with the threshold paper's eps0 of that teacher
(:func:`proofs_check.threshold.threshold_paper`); the margin optimisation's default claim is
the one that paper's threshold is stated for (``Threshold.claim``).  The model declares
them on its record (``Model.task_types``), and :data:`proofs_check.campaign.tasks.TASKS`
collects them.

>>> [task_type.name for task_type in TASK_TYPES]
['stationary', 'worst_case']
"""
from __future__ import annotations

import collections

from proofs_check.campaign.task_types import Finding, Parameter, TaskType, non_negative_int, positive_int
from proofs_check.campaign.tasks import known_claim
from proofs_check.models.teacher_student.teacher_geometry import (geometry_parameters, normalize_geometry,
                                                                  teacher_constants, teacher_rows)

__all__ = ["STATIONARY", "WORST_CASE", "TASK_TYPES", "stationary_summary", "worst_case_summary"]


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


# -- the summaries of campaign show (proofs_check.campaign.summary) ---------------------------

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
    import mpmath

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
    import mpmath

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
    summarize=stationary_summary,
)


# -- the margin optimisation (proofs_check.worst_case) -----------------------------------------

def _with_default_claim(inputs: dict) -> dict:
    """The teacher's geometry normalised, and no claim read as the threshold paper's claim
    (before the task is keyed, so that naming it or not is one task)."""
    from proofs_check.threshold import threshold_paper

    out = normalize_geometry(inputs)
    if out.get("claim") is None:
        try:
            out["claim"] = threshold_paper().threshold.claim
        except StopIteration:
            out["claim"] = ""
        if not out["claim"]:
            raise ValueError("claim: no registered paper states a threshold for a claim; name the claim")
    return out


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
        Parameter("claim", str, "claim id with a configuration-level `at` (default: the claim the "
                  "threshold paper's eps0 is stated for, Zhou-Ge-Jin's Theorem 4, whose ratio is "
                  "||grad L|| / L, i.e. kappa at that level)", default=None, check=known_claim, nullable=True),
        Parameter("level", float, "loss level", check=lambda x: None if 0 < x < 1 else "must lie in (0, 1)"),
    ) + geometry_parameters("r for orthogonal, max(r, 3) for separated") + (
        Parameter("seed", int, "seed of the sampled starts", default=0, check=non_negative_int),
        Parameter("starts_per_family", int, "sampled starts per sampler family", default=2, check=positive_int),
        Parameter("objective", str, "auto (the claim's declared objective, else both), gradient_norm "
                  "(the ratio grows with ||grad L|| at fixed L: Theorem 4, contrast.pl) or margin (descend "
                  "the claim's own ratio)", default="auto",
                  check=lambda x: None if x in ("auto", "gradient_norm", "margin") else
                  "must be auto, gradient_norm or margin"),
    ),
    run=_worst_case,
    findings=lambda result: [Finding("worst_case", "minimiser", result, result.get("loss"))],
    normalize=_with_default_claim,
    summarize=worst_case_summary,
)

#: The task types this model declares (``Model.task_types``).
TASK_TYPES = (STATIONARY, WORST_CASE)
