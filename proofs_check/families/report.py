"""The families' result as JSON and as a table: per r the lowest certified spurious point
beside the paper's eps0 (Zhou-Ge-Jin), or the certified minima (Safran-Shamir), and the
fitted exponent of the lowest loss in r (empirical)."""
from __future__ import annotations

import mpmath

from numeric.numbers import decimal_string
from proofs_check.families.follow import fitted_exponent, lowest_spurious

__all__ = ["families_json", "threshold_rows", "FIT_FROM_R"]

#: The exponent is fitted on r >= this (the small-r members are not yet in the asymptotic regime).
FIT_FROM_R = 8


def _paper_eps0(r: int):
    from proofs_check.claims.zgj.eps0 import paper_eps0

    return paper_eps0(mpmath.pi / 2, 1, 1, r)


def minimum_rows(members) -> list:
    """Per r: the lowest certified spurious local minimum (Hessian certainly positive
    definite in d = r), its smallest Hessian eigenvalue."""
    best = {}
    for m in members:
        if m.certified and m.kind == "minimum" and m.loss > 0:
            if m.r not in best or m.loss.mid() < best[m.r].loss.mid():
                best[m.r] = m
    return [{"r": r, "m": m.m, "family": m.family, "loss": decimal_string(m.loss, 20),
             "hessian_min_eigenvalue": decimal_string(m.min_eigenvalue, 10)} for r, m in sorted(best.items())]


def threshold_rows(members, paper: str) -> list:
    """Per r: the lowest certified spurious member (its family, kind, loss) and, for
    Zhou-Ge-Jin, ``eps0(r)`` and ``log10(L / eps0)``."""
    rows = []
    for r, member in sorted(lowest_spurious(members).items()):
        row = {"r": r, "m": member.m, "family": member.family, "kind": member.kind,
               "loss": decimal_string(member.loss, 20)}
        if paper == "zgj":
            eps0 = _paper_eps0(r)
            with mpmath.workdps(30):
                row["paper_eps0"] = mpmath.nstr(eps0, 3)
                row["log10_loss_over_eps0"] = round(float(mpmath.log10(mpmath.mpf(float(member.loss.mid())) / eps0)), 1)
        rows.append(row)
    return rows


def families_json(paper: str, settings, members, notes, seconds: float) -> dict:
    """The JSON of ``proofs-check families``."""
    rows = threshold_rows(members, paper)
    fit_points = [(row["r"], float(row["loss"])) for row in rows if row["r"] >= FIT_FROM_R]
    slope, error = fitted_exponent(fit_points)
    by_width, widths = {}, {}
    for member in members:
        rule = "r" if member.m == member.r else "r+1" if member.m == member.r + 1 else "2r"
        widths.setdefault(rule, []).append(member)
    for rule, group in widths.items():
        by_width[rule] = threshold_rows(group, paper)
    minima = minimum_rows(members)
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
        "fit": {"status": "empirical", "from_r": FIT_FROM_R, "points": len(fit_points),
                "exponent": None if slope is None else round(slope, 4),
                "exponent_standard_error": None if error is None else float(f"{error:.2g}"),
                "model": "log L = exponent log r + c, least squares on the lowest certified spurious loss per r"},
        "lowest_minimum": minima,
        "fit_minimum": {"status": "empirical", "from_r": FIT_FROM_R, "points": len(min_points),
                        "exponent": None if min_slope is None else round(min_slope, 4),
                        "exponent_standard_error": None if min_error is None else float(f"{min_error:.2g}")},
        "notes": list(notes),
    }
