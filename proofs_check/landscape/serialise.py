"""The JSON of a hunt's result (the ``stationary`` command's ``--json``)."""
from __future__ import annotations

import mpmath

from numeric.numbers import decimal_string, fraction_to_decimal_string, to_mpf
from numeric.precision import correct_digits
from proofs_check.landscape.types import Landscape

__all__ = ["landscape_json", "ball_text"]

def ball_text(x, digits_cap: int = 40):
    """``(value, error)`` decimal strings: every certified digit of the ball's midpoint."""
    err = to_mpf(x.rad())
    if x.contains(0) and err > 0 and abs(to_mpf(x.mid())) <= err:
        return "0", mpmath.nstr(err, 3)
    digits = min(digits_cap, max(1, correct_digits(x, err)))
    return decimal_string(x, digits), mpmath.nstr(err, 3) if err else "0"


def landscape_json(result: Landscape) -> dict:
    """The JSON of :func:`hunt`'s result (the ``stationary`` command's ``--json``)."""
    points = []
    for p in result.points:
        loss, loss_error = ball_text(p.loss)
        points.append({
            "loss": loss,
            "loss_error": loss_error,
            "kind": p.kind,
            "certified": p.certified,
            "radius": None if p.radius is None else mpmath.nstr(mpmath.mpf(p.radius), 3),
            "gradient_norm": mpmath.nstr(to_mpf(p.gradient_norm.upper()), 3) if p.gradient_norm is not None else None,
            "hessian_min_eigenvalue": None if p.min_eigenvalue is None else ball_text(p.min_eigenvalue, 20)[0],
            "hessian_min_eigenvalue_error": None if p.min_eigenvalue is None else ball_text(p.min_eigenvalue, 20)[1],
            "classification": p.classification,
            "zero_rows": list(p.zero_rows),
            "merged": [list(g) for g in p.merged],
            "config": p.config.to_dict(digits=result.dps),
            "multiplicity": p.multiplicity,
            "hits": p.hits,
        })
    low = result.lowest_spurious
    return {
        "teacher": [[fraction_to_decimal_string(x) for x in row] for row in result.teacher],
        "students": result.students,
        "dim": result.dim,
        "interrupted": result.interrupted,
        "points": points,
        "lowest_spurious": None if low is None else {"loss": points[low]["loss"], "index": low},
        "starts": result.starts_run,
        "converged": result.starts_converged,
        "strategies": [{"strategy": c.strategy, "starts": c.starts, "converged": c.converged,
                        "distinct_points": c.new} for c in result.strategies],
        "notes": list(result.notes),
        "teacher_symmetries": result.symmetries or None,  # 0: not counted (a generic model)
        "seconds": round(result.seconds, 2),
        "radius_meaning": "Frobenius distance from config to the exact stationary point (upper bound)",
    }
