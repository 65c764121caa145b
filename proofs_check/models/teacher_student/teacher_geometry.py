"""Teachers of a named geometry, and the width ``m`` written relative to ``r``.

Shared by the teacher-student model's campaign task types (:mod:`.campaign_tasks`: the
stationary-point hunt, the margin optimisation): the parameters, their normalisation before
a task is keyed, the teacher's rows and the threshold paper's constants of that teacher.
"""
from __future__ import annotations

import re

from proofs_check.campaign.task_types import Parameter, non_negative_int, positive_int
from proofs_check.models.teacher_student.samplers import separated_teachers

__all__ = ["GEOMETRIES", "students_for", "teacher_rows", "teacher_constants", "geometry_parameters",
           "normalize_geometry"]

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
    (:func:`.samplers.separated_teachers`).  Norms are uniform in
    ``[w_min, w_max]``, drawn with ``teacher_seed``.
    """
    import numpy as np

    rng = np.random.default_rng([teacher_seed, r, d])
    if geometry == "orthogonal":
        norms = rng.uniform(w_min, w_max, size=r) if w_max > w_min else np.full(r, w_min)
        T = np.zeros((r, d))
        T[np.arange(r), np.arange(r)] = norms
        return T.tolist()
    return separated_teachers(rng, r, d, Delta=Delta, w_min=w_min, w_max=w_max).tolist()


def teacher_constants(teacher, dps: int = 40) -> dict:
    """The threshold paper's constants of a teacher, from its exact (float64) rows at ``dps``
    digits: ``Delta`` (smallest up-to-sign angle), ``w_min``, ``w_max`` and the paper's
    ``eps0`` (:func:`proofs_check.threshold.threshold_paper`'s ``Threshold.bound``; for
    Zhou-Ge-Jin ``Delta^36 w_min^80 r^-162 w_max^-78``, hidden constant 1), as decimal strings.

    >>> teacher_constants([[1, 0], [0, 2]])["paper_eps0"]  # (pi/2)^36 2^-162 2^-78
    '6.50304282079e-66'
    """
    import mpmath

    from proofs_check.threshold import threshold_paper

    paper_eps0 = threshold_paper().threshold.bound
    with mpmath.workdps(dps):
        rows = [[mpmath.mpf(float(x)) for x in row] for row in teacher]
        norms = [mpmath.sqrt(sum(x * x for x in row)) for row in rows]
        units = [[x / n for x in row] for row, n in zip(rows, norms)]
        angles = [_up_to_sign_angle(units[i], units[j]) for i in range(len(units)) for j in range(i)]
        Delta = min(angles) if angles else mpmath.pi / 2
        w_min, w_max = min(norms), max(norms)
        eps0 = paper_eps0(Delta, w_min, w_max, len(rows), dps=dps)
        return {"Delta": mpmath.nstr(Delta, 17), "w_min": mpmath.nstr(w_min, 17), "w_max": mpmath.nstr(w_max, 17),
                "paper_eps0": mpmath.nstr(eps0, 12)}


def _up_to_sign_angle(u, v):
    """The angle in ``[0, pi/2]`` between the lines of unit vectors ``u`` and ``v``, in Kahan's
    form ``2 atan2(|u - v|, |u + v|)`` (accurate for nearly aligned vectors; no ``acos``)."""
    import mpmath

    if sum(x * y for x, y in zip(u, v)) < 0:
        v = [-y for y in v]
    diff = mpmath.sqrt(sum((x - y) ** 2 for x, y in zip(u, v)))
    plus = mpmath.sqrt(sum((x + y) ** 2 for x, y in zip(u, v)))
    return 2 * mpmath.atan2(diff, plus)


def geometry_parameters(default_d: str) -> tuple:
    return (
        Parameter("geometry", str, "teacher geometry: orthogonal or separated",
                  check=lambda g: None if g in GEOMETRIES else f"must be one of {', '.join(GEOMETRIES)}"),
        Parameter("r", int, "number of teachers", check=positive_int),
        Parameter("m", (str, int), 'students: a number, or "r", "2r", "r+1", ...', default="r"),
        Parameter("d", int, f"input dimension (default {default_d})", default=None,
                  check=positive_int, nullable=True),
        Parameter("Delta", float, "separated: smallest up-to-sign angle between teachers (radians)",
                  default=0.5, check=lambda x: None if 0 < x <= 1.5707963267948966 else "must lie in (0, pi/2]"),
        Parameter("w_min", float, "smallest teacher norm", default=1.0, check=_teacher_norm),
        Parameter("w_max", float, "largest teacher norm", default=1.0, check=_teacher_norm),
        Parameter("teacher_seed", int, "seed of the teacher draw", default=0, check=non_negative_int),
        Parameter("activation", str, "abs (the paper's network) or relu (App. A)", default="abs",
                  check=lambda a: None if a in ("abs", "relu") else "must be abs or relu"),
    )


#: Teacher norms a task accepts: the hunts descend in float64, where the loss (of order
#: r^2 w_max^4) and the paper's eps0 (w_max^-78) must stay finite and non-zero.
TEACHER_NORM_RANGE = (1e-3, 1e3)


def _teacher_norm(x) -> str | None:
    low, high = TEACHER_NORM_RANGE
    return None if low <= x <= high else f"must lie in [{low:g}, {high:g}] (float64 hunts)"


def normalize_geometry(inputs: dict) -> dict:
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
