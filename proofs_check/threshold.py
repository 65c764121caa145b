"""The real threshold of a teacher set and a width: the lowest loss of a spurious stationary
point (paper-notes section 9), bracketed.

* ``upper``: the loss of the lowest certified spurious stationary point the hunt finds
  (the default hunt of the threshold paper's model, :func:`threshold_paper`; for Zhou-Ge-Jin
  :func:`proofs_check.models.teacher_student.hunt.hunt`: Krawczyk on python-flint balls), or a lower one
  the branch and bound certifies on the way;
* ``lower``, of one of two kinds, never mixed:

  - ``branch-and-bound`` (``prove=True``, :mod:`numeric.threshold_bnb`): a proof that no
    spurious stationary point has ``0 < L < X`` for the level ``X`` just below ``upper``
    (``certified: true`` when every box was decided; otherwise ``certified: false`` with the
    share of the domain decided when the budget ran out);
  - ``optimiser scan`` (default): the largest scanned level at and below which the margin
    optimiser found no configuration with ``||grad L|| < kappa L``: an empirical value, not
    a bound.

Teachers in ``R^r`` are padded with zeros to ``dim`` (default ``r + m``: every
configuration of ``m`` students lies, up to a rotation fixing the teachers, in
``R^(r+m)``).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext
from fractions import Fraction

import mpmath
import numpy as np

from numeric.numbers import fraction_to_decimal_string
from numeric.threshold_bnb import OUTCOMES, BnbSettings, branch_and_bound, distinct_points, slice_boxes
from numeric.threshold_model import TeacherStudentBoxes
from proofs_check.errors import UsageError

__all__ = ["ThresholdSettings", "threshold_bracket", "threshold_paper", "padded_teacher", "teacher_parameters",
           "floor_decimal", "ceiling_decimal", "common_digits", "fundamental_image", "unresolved_summary",
           "zero_rows_accounted_for", "LEVEL_GAP", "SCAN_FRACTIONS"]

#: The branch and bound's level is ``(1 - LEVEL_GAP)`` times the lower end of ``upper``.
LEVEL_GAP = 1e-7
#: Levels of the optimiser scan, as fractions of ``upper``.
SCAN_FRACTIONS = (0.5, 0.8, 0.9, 0.95)


@dataclass(frozen=True)
class ThresholdSettings:
    """``students`` m; ``dim`` d (None: ``r + m``); ``prove``: the branch and bound, else the
    optimiser scan; ``budget`` seconds for the branch and bound; ``level``: its level
    (None: just below ``upper``); ``hunt_starts``, ``hunt_budget``, ``seed``: the hunt."""

    students: int
    dim: int | None = None
    prove: bool = False
    budget: float = 300.0
    level: float | None = None
    hunt_starts: int = 160
    hunt_budget: float = 600.0
    seed: int = 0

    def __post_init__(self):
        if self.students < 1:
            raise UsageError(f"--students = {self.students} must be >= 1")
        if self.dim is not None and self.dim < 1:
            raise UsageError(f"--dim = {self.dim} must be >= 1")
        if not self.budget > 0:
            raise UsageError(f"--budget = {self.budget} must be a positive number of seconds")
        if self.level is not None and not (self.level > 0 and math.isfinite(self.level)):
            raise UsageError(f"--level = {self.level} must be a positive number")


def padded_teacher(teacher, dim: int):
    """Teacher rows (exact) padded with zeros to ``dim`` columns."""
    rows = [tuple(Fraction(x) for x in row) for row in teacher]
    d = len(rows[0])
    if dim < d:
        raise UsageError(f"--dim = {dim} is below the teacher's dimension {d}")
    return tuple(row + (Fraction(0),) * (dim - d) for row in rows)


def teacher_parameters(teacher):
    """``(Delta, w_min, w_max)`` of Assumptions 1-2 (floats): the smallest up-to-sign angle
    between two teachers (``pi/2`` for one teacher) and the extreme norms."""
    rows = [[float(x) for x in row] for row in teacher]
    norms = [math.sqrt(sum(x * x for x in row)) for row in rows]
    delta = math.pi / 2
    for i in range(len(rows)):
        for k in range(i + 1, len(rows)):
            c = abs(sum(a * b for a, b in zip(rows[i], rows[k]))) / (norms[i] * norms[k])
            delta = min(delta, math.acos(min(1.0, c)))
    return delta, min(norms), max(norms)


def floor_decimal(x, digits: int = 17) -> str:
    """A decimal string ``<= x`` (exact float or Fraction) with ``digits`` significant digits."""
    return _directed(x, digits, ROUND_FLOOR)


def ceiling_decimal(x, digits: int = 17) -> str:
    """A decimal string ``>= x`` with ``digits`` significant digits."""
    return _directed(x, digits, ROUND_CEILING)


def _directed(x, digits, rounding) -> str:
    f = Fraction(x)
    with localcontext() as ctx:
        ctx.prec = digits
        ctx.rounding = rounding
        value = Decimal(f.numerator) / Decimal(f.denominator)
    return format(value, "f") if abs(value) >= Decimal("1e-6") or value == 0 else str(value)


def threshold_paper():
    """The paper that states an explicit loss threshold (``Paper.threshold``; the first in
    the registry's order): its bound, its optimiser scan, and its model's default hunt are
    what ``proofs-check threshold`` brackets and compares."""
    from proofs_check.registry import all_papers

    return next(paper for paper in all_papers().values() if paper.threshold is not None)


def _hunt(teacher, settings: ThresholdSettings):
    from proofs_check.landscape import HuntSettings

    hunt = threshold_paper().model.hunts[0].hunt
    hs = HuntSettings(students=settings.students, starts=settings.hunt_starts, seed=settings.seed,
                      budget=settings.hunt_budget)
    result = hunt([list(row) for row in teacher], hs)
    low = result.lowest_spurious
    return None if low is None else result.points[low]


def _ball_bounds(ball):
    """Exact rationals ``(lo, hi)`` around an arb ball."""
    lo = Fraction(ball.lower().str(40, radius=False))
    hi = Fraction(ball.upper().str(40, radius=False))
    # the 40-digit strings of the end points are themselves rounded: widen by one unit
    slack = (abs(lo) + abs(hi) + Fraction(1, 10**30)) * Fraction(1, 10**35)
    return lo - slack, hi + slack


def _optimiser_scan(teacher, m, upper: float, seed: int):
    """The largest scanned level at and below which the margin optimiser found no
    ``||grad L|| < kappa L`` (the scan of the threshold paper's claim; empirical)."""
    holds_at = threshold_paper().threshold.holds_at
    lower = None
    for level in sorted(f * upper for f in SCAN_FRACTIONS):
        try:
            held = holds_at([[float(x) for x in row] for row in teacher], m, level, seed)
        except UsageError:
            continue
        if not held:
            break
        lower = level
    return lower


def threshold_bracket(teacher, settings: ThresholdSettings, hunt=_hunt) -> dict:
    """The bracket as the JSON-ready dict of ``proofs-check threshold`` (see the command)."""
    paper_eps0 = threshold_paper().threshold.bound
    r = len(teacher)
    m = settings.students
    if m < r:
        raise UsageError(f"--students = {m} is below the number of teachers r = {r}; the paper needs m >= r")
    dim = settings.dim if settings.dim is not None else r + m
    T = padded_teacher(teacher, dim)
    delta, w_min, w_max = teacher_parameters(T)
    out = {"teacher": _decimal_rows(T), "students": m, "dim": dim,
           "paper_eps0": mpmath.nstr(paper_eps0(delta, w_min, w_max, r), 6)}
    point = hunt(T, settings)
    upper_hi = None
    if point is not None:
        lo, hi = _ball_bounds(point.loss)
        upper_hi = hi
        out["upper"] = {"loss": common_digits(lo, hi), "loss_interval": [floor_decimal(lo, 20), ceiling_decimal(hi, 20)],
                        "certified": True, "method": "hunt (Krawczyk on balls)",
                        "witness": point.config.to_dict(digits=40)}
    else:
        out["upper"] = {"loss": None, "certified": False, "method": "hunt", "witness": None}
    if settings.prove:
        out["lower"] = _proved_lower(T, m, dim, settings, lo if point is not None else None, out)
    else:
        started = time.perf_counter()
        value = None if point is None else _optimiser_scan(T, m, float(lo), settings.seed)
        out["lower"] = {"value": None if value is None else mpmath.nstr(mpmath.mpf(value), 6), "certified": False,
                        "method": "optimiser scan", "boxes": None,
                        "seconds": round(time.perf_counter() - started, 1),
                        "meaning": "no violation of ||grad L|| >= kappa L found by the optimiser at and below"
                                   " this level (scanned levels: fractions "
                                   + ", ".join(map(str, SCAN_FRACTIONS)) + " of upper); not a bound"}
    return out


def _proved_lower(T, m, dim, settings, upper_lo, out):
    if settings.level is not None:
        level = float(settings.level)
    elif upper_lo is not None:
        level = float(Fraction(float(upper_lo)) * (1 - Fraction(LEVEL_GAP)))
    else:
        raise UsageError("--prove needs a level: the hunt found no spurious stationary point; give --level")
    started = time.perf_counter()
    covered, below = zero_rows_accounted_for(T, m, dim, level, settings.budget / 4)
    model = TeacherStudentBoxes(T, m, dim, level, zero_rows_covered=covered)
    left = max(settings.budget - (time.perf_counter() - started), 1.0)
    result = branch_and_bound(model, level, BnbSettings(budget=left))
    lower = {"level": floor_decimal(level), "certified": result.certified, "method": "branch-and-bound",
             "boxes": result.boxes, "seconds": round(time.perf_counter() - started, 1),
             "zero_rows": below,
             "share_decided": f"{min(result.volume_decided, 1.0):.6f}",
             "outcomes": dict(result.counts)}
    if not result.certified:
        lower["unresolved"] = unresolved_summary(model, result)
    found = result.lowest_spurious()
    if found is not None:
        # a spurious stationary point below the level, certified by Krawczyk on float intervals
        groups = distinct_points(result.spurious)
        lower["spurious_below_level"] = len(groups)
        lowest_lo = min(p.value_lo for p in result.spurious)
        lowest_hi = min(p.value_hi for p in result.spurious)
        if out["upper"]["loss"] is None or Fraction(lowest_hi) < Fraction(out["upper"]["loss_interval"][1]):
            out["upper"] = {"loss": common_digits(Fraction(lowest_lo), Fraction(lowest_hi)),
                            "loss_interval": [floor_decimal(lowest_lo), ceiling_decimal(lowest_hi)],
                            "certified": True, "method": "branch-and-bound (Krawczyk on float64 intervals)",
                            "witness": _witness(T, found)}
        value = lowest_lo if result.certified else None
    else:
        value = level if result.certified else None
    lower["value"] = None if value is None else floor_decimal(value)
    witness = out["upper"].get("witness")
    if witness is not None and dim >= 2:
        point = fundamental_image(witness["student"], dim)
        names = [f"u_{j + 1}[{k}]" for j in range(m) for k in range(dim)]
        fixed = ", ".join(f"{names[k]} = {point[k]:.6g}" for k in range(2, len(names)))
        out["figures"] = {"threshold_boxes": {
            "label": f"r = {len(T)}, m = {m}, d = {dim}, level {floor_decimal(level, 8)}",
            "axes": names[:2], "fixed": fixed or "-", "outcomes": list(OUTCOMES),
            "boxes": slice_boxes(result, (0, 1), point)}}
    return lower


def zero_rows_accounted_for(T, m, dim, level, budget):
    """Whether the stationary points with a zero student row are proved to have no loss in
    ``(0, level)``: they are the stationary points of the width ``m - 1`` (the row's
    gradient vanishes at ``w_j = 0``), so by recursion on ``m``: the branch and bound for
    ``m - 1`` (its own zero rows in turn), down to ``m = 1`` whose only zero-row point is
    ``W = 0``.  Returns ``(covered, summary)``."""
    if m == 1:
        model = TeacherStudentBoxes(T, 1, dim, level)
        zero = np.zeros((1, dim))
        L0, _ = model.loss_gradient(zero, zero, want_gradient=False)
        return bool(L0.lo[0] >= level), {"students": 0, "loss_at_zero_lower": floor_decimal(float(L0.lo[0]), 12)}
    covered, inner = zero_rows_accounted_for(T, m - 1, dim, level, budget / 2)
    model = TeacherStudentBoxes(T, m - 1, dim, level, zero_rows_covered=covered)
    result = branch_and_bound(model, level, BnbSettings(budget=budget / 2))
    ok = result.certified and result.lowest_spurious() is None
    return ok, {"students": m - 1, "certified": result.certified,
                "spurious_below_level": result.lowest_spurious() is not None,
                "boxes": result.boxes, "seconds": round(result.seconds, 1), "zero_rows": inner}


def unresolved_summary(model, result) -> dict:
    """Where the branch and bound did not finish: the undecided boxes' count, widths, the
    lowest loss enclosure among them, how many may hold a zero student row, and the range
    of their centres per coordinate (measured, for the report)."""
    import numpy as np

    from numeric.threshold_bnb import OUTCOMES as names

    if not result.leaves:
        return {"boxes": 0}
    lo, hi, code = result.leaves
    keep = code == names.index("unresolved")
    lo, hi = lo[keep], hi[keep]
    if lo.shape[0] == 0:
        return {"boxes": 0}
    sample = slice(0, min(lo.shape[0], 20000))
    L, _ = model.loss_gradient(lo[sample], hi[sample], want_gradient=False)
    centre = 0.5 * (lo + hi)
    return {"boxes": int(lo.shape[0]),
            "width_median": f"{float(np.median(np.max(hi - lo, axis=1))):.3g}",
            "loss_lower_min": f"{float(np.min(L.lo)):.4g}",
            "share_with_possible_zero_row": f"{float(np.mean(~model.smooth(lo, hi))):.3f}",
            "centre_min": [f"{x:.3g}" for x in centre.min(axis=0)],
            "centre_max": [f"{x:.3g}" for x in centre.max(axis=0)]}


def fundamental_image(student_rows, dim: int) -> list:
    """The effective vectors ``u_j = |w_j| w_j`` of a configuration, moved into the branch
    and bound's fundamental domain (first coordinates >= 0 and increasing; the last
    student's extra coordinates >= 0), flattened."""
    rows = []
    for row in student_rows:
        w = [float(Fraction(x)) for x in row]
        n = math.sqrt(sum(x * x for x in w))
        u = [n * x for x in w]
        if u[0] < 0:
            u = [-x for x in u]
        rows.append(u)
    rows.sort(key=lambda u: u[0])
    return [x for u in rows for x in u]


def _witness(T, point):
    """The effective vectors' enclosure, as a student configuration at its midpoint."""
    import numpy as np

    u = 0.5 * (np.asarray(point.lo) + np.asarray(point.hi))
    d = len(T[0])
    rows = u.reshape(-1, d)
    students = []
    for row in rows:
        n = float(np.linalg.norm(row))
        students.append([repr(float(x / math.sqrt(n))) if n > 0 else "0" for x in row])
    return {"teacher": _decimal_rows(T), "student": students,
            "effective_vectors_lo": [repr(float(x)) for x in point.lo],
            "effective_vectors_hi": [repr(float(x)) for x in point.hi]}


def _decimal_rows(rows):
    return [[fraction_to_decimal_string(Fraction(x), 40) for x in row] for row in rows]


def common_digits(lo: Fraction, hi: Fraction) -> str:
    """The decimal digits ``lo`` and ``hi`` share (every certified digit), at least one."""
    for digits in range(30, 0, -1):
        a, b = floor_decimal(lo, digits), floor_decimal(hi, digits)
        if a == b:
            return a
    return floor_decimal(lo, 1)
