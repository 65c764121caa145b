"""The families' result as JSON and as a table: per r the lowest certified spurious point
beside the paper's eps0 (Zhou-Ge-Jin), or the certified minima (Safran-Shamir), and the
fitted exponent of the lowest loss in r (empirical)."""
from __future__ import annotations

import mpmath

from numeric.numbers import decimal_string
from proofs_check.families.definitions import paper_families
from proofs_check.families.expansion import coefficient_spread
from proofs_check.families.follow import fitted_exponent, lowest_spurious, r_schedule

__all__ = ["families_json", "threshold_rows", "FIT_FROM_R", "fit_with_range", "width_rule", "loss_expansion"]

#: The exponent is fitted on r >= this (the small-r members are not yet in the asymptotic regime).
FIT_FROM_R = 8


def minimum_rows(members) -> list:
    """Per r: the lowest certified spurious local minimum (Hessian certainly positive
    definite in d = r), its smallest Hessian eigenvalue."""
    best = {}
    for m in members:
        if m.certified and m.point_type == "minimum" and m.loss > 0:
            if m.r not in best or m.loss.mid() < best[m.r].loss.mid():
                best[m.r] = m
    return [{"r": r, "m": m.m, "family": m.family, "loss": decimal_string(m.loss, 20),
             "hessian_min_eigenvalue": decimal_string(m.min_eigenvalue, 10)} for r, m in sorted(best.items())]


def threshold_rows(members, paper: str) -> list:
    """Per r: the lowest certified spurious member (its family, point type, loss) and, for a paper
    that states a threshold (``PaperFamilies.eps0``: Zhou-Ge-Jin), ``eps0(r)`` and
    ``log10(L / eps0)``."""
    paper_eps0 = paper_families(paper).eps0
    rows = []
    for r, member in sorted(lowest_spurious(members).items()):
        row = {"r": r, "m": member.m, "family": member.family, "kind": member.point_type,
               "loss": decimal_string(member.loss, 20)}
        if paper_eps0 is not None:
            eps0 = paper_eps0(r)
            with mpmath.workdps(30):
                row["paper_eps0"] = mpmath.nstr(eps0, 3)
                row["log10_loss_over_eps0"] = round(float(mpmath.log10(mpmath.mpf(float(member.loss.mid())) / eps0)), 1)
        rows.append(row)
    return rows


def width_rule(member) -> str:
    """``r``, ``r+1`` or ``2r``: the member's width as a rule in r."""
    return "r" if member.m == member.r else "r+1" if member.m == member.r + 1 else "2r"


def fit_with_range(points, from_r: int = FIT_FROM_R) -> dict:
    """The least-squares exponent of ``log L`` against ``log r`` on ``r >= from_r`` with its
    standard error, and the range of the exponents fitted on ``r >= from_r, 2 from_r,
    4 from_r`` (each with at least 3 points).  The residuals are not noise (the curve is
    smooth and bends slowly), so the standard error understates what a different window
    gives; the range is the uncertainty to quote."""
    slope, error = fitted_exponent([p for p in points if p[0] >= from_r])
    windows = []
    for start in (from_r, 2 * from_r, 4 * from_r):
        w, _ = fitted_exponent([p for p in points if p[0] >= start])
        if w is not None:
            windows.append(w)
    return {"status": "empirical", "from_r": from_r, "points": sum(1 for p in points if p[0] >= from_r),
            "exponent": None if slope is None else round(slope, 4),
            "exponent_standard_error": None if error is None else float(f"{error:.2g}"),
            "exponent_range": [round(min(windows), 4), round(max(windows), 4)] if windows else None,
            "windows_from_r": [start for start in (from_r, 2 * from_r, 4 * from_r)][:len(windows)]}


#: The family whose loss is expanded in k^(-1/2) (Safran-Shamir's S_(k-1) x S_1 minima).
EXPANDED_FAMILY = "split"
#: The powers j of k^(-j/2) of the two fits: the first leaves a constant and a k^(-1/2) term
#: free; the second starts at 1/k (the decay Arjevani and Field prove for some types).  With
#: the schedule's 22 values of k from 6 to 100, fewer terms leave relative residuals above
#: 1e-4 (the truncation dominates), these leave 1e-5 to 1e-7.
FREE_POWERS = (0, 1, 2, 3, 4, 5, 6)
DECAYING_POWERS = (2, 3, 4, 5, 6)


def loss_expansion(members, family: str = EXPANDED_FAMILY) -> dict | None:
    """The fits of :mod:`proofs_check.families.expansion` to the lowest certified spurious
    minimum of ``family`` per k (at least 10 values of k from 6 on), or ``None``: the series
    with a constant and a ``k^(-1/2)`` term free (:data:`FREE_POWERS`), and the one that
    starts at ``1/k`` (:data:`DECAYING_POWERS`), each coefficient with its spread over
    windows and term counts."""
    best = {}
    for m in members:
        if m.family == family and m.certified and m.point_type == "minimum" and m.loss > 0 and m.r >= 6:
            if m.r not in best or m.loss.mid() < best[m.r].loss.mid():
                best[m.r] = m
    points = [(k, float(m.loss.mid())) for k, m in sorted(best.items())]
    if len(points) < 10:
        return None
    free = {f"a{j}": coefficient_spread(points, j, base_powers=FREE_POWERS) for j in (0, 1, 2)}
    decaying = {f"a{j}": coefficient_spread(points, j, base_powers=DECAYING_POWERS) for j in (2, 3)}
    return {"status": "empirical", "family": family, "k": [p[0] for p in points], "points": len(points),
            "model": "L_k = sum_j a_j k^(-j/2), least squares relative to L; value on k >= 6, "
                     "range over windows k >= 6, 10, 16 and one term more or fewer",
            "free": free, "from_one_over_k": decaying}


def families_json(paper: str, settings, members, notes, seconds: float) -> dict:
    """The JSON of ``proofs-check families``.  The per-r tables use the members at the r of
    the schedule only (:func:`r_schedule`; a lost branch's last members at other r stay in
    ``members``), so that every row compares the same families."""
    scheduled = set(r_schedule(2, settings.r_max))
    on_schedule = [m for m in members if m.r in scheduled]
    rows = threshold_rows(on_schedule, paper)
    fit_points = [(row["r"], float(row["loss"])) for row in rows if row["r"] >= FIT_FROM_R]
    slope, error = fitted_exponent(fit_points)
    by_width, fits, widths = {}, {}, {}
    for member in on_schedule:
        widths.setdefault(width_rule(member), []).append(member)
    for rule, group in sorted(widths.items()):
        by_width[rule] = threshold_rows(group, paper)
        fits[rule] = fit_with_range([(row["r"], float(row["loss"])) for row in by_width[rule]])
    minima = minimum_rows(on_schedule)
    min_points = [(row["r"], float(row["loss"])) for row in minima if row["r"] >= FIT_FROM_R]
    min_slope, min_error = fitted_exponent(min_points)
    return {
        "paper": paper,
        "loss_normalisation": "1/2 E[(student - teacher)^2] (the factor 1/2)",
        "ambient_dimension": "d = r",
        "settings": {"r_min": settings.r_min, "r_max": settings.r_max, "starts": settings.starts,
                     "branches": settings.branches, "seed": settings.seed, "dps": settings.dps,
                     "budget": settings.budget},
        "seconds": round(seconds, 1),
        "members": [m.to_dict() for m in members],
        "certified": sum(m.certified for m in members),
        "lowest_spurious": rows,
        "lowest_spurious_by_width": by_width,
        "fit_by_width": fits,
        "fit": {"status": "empirical", "from_r": FIT_FROM_R, "points": len(fit_points),
                "exponent": None if slope is None else round(slope, 4),
                "exponent_standard_error": None if error is None else float(f"{error:.2g}"),
                "model": "log L = exponent log r + c, least squares on the lowest certified spurious loss per r"},
        "lowest_minimum": minima,
        "fit_minimum": {"status": "empirical", "from_r": FIT_FROM_R, "points": len(min_points),
                        "exponent": None if min_slope is None else round(min_slope, 4),
                        "exponent_standard_error": None if min_error is None else float(f"{min_error:.2g}")},
        "expansion": loss_expansion(on_schedule) if paper_families(paper).expansion else None,
        "notes": list(notes),
    }
