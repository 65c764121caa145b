"""Loss, gradient and Hessian on a box of student rows: every result encloses the value at
every point of the box, which is what the Krawczyk certificate of :mod:`numeric.stationary`
needs.

:func:`numeric.precise.evaluate` works on exact rational rows (integer Gram matrices); a box
of balls needs the pairwise form of :mod:`numeric.pairwise` instead.
"""
from __future__ import annotations

from dataclasses import dataclass

import flint
from flint import arb

from numeric import pair_kernels
from numeric.evaluation import Evaluation
from numeric.pairwise import assemble_hessian, neuron_points, pair_angle_table

__all__ = ["BoxRows", "box_evaluate"]


@dataclass(frozen=True)
class BoxRows:
    """Teacher rows and student rows that may be balls (a box), with the fields of
    :class:`numeric.Configuration` that the evaluator reads.

    Unlike a configuration it allows ``m < r`` (a reduced point: zero rows dropped)."""

    teacher: tuple
    student: tuple
    activation: str

    @property
    def m(self):
        return len(self.student)

    @property
    def d(self):
        return len(self.teacher[0])

    @property
    def r(self):
        return len(self.teacher)

    def zero_students(self):
        return tuple(j for j, row in enumerate(self.student)
                     if all(isinstance(x, arb) and x.is_zero() or (not isinstance(x, arb) and x == 0)
                            for x in row))


def box_evaluate(rows: BoxRows, F, want_hessian: bool):
    """Loss, gradient (and Hessian) of ``rows`` whose student entries may be balls: every
    result encloses the value at every point of the box.

    :func:`numeric.evaluate` works on exact rational rows (integer Gram matrices); a box
    needs the pairwise form instead: ``y_j = sum_b c_b (g_u u_hat_j + g_v z_hat_b)`` from the
    pair coefficients of :mod:`numeric.pair_kernels` (``grad_u k = g_u u_hat + g_v v_hat``),
    ``grad_{w_j} L = ||w_j|| (I + w_hat w_hat^T) y_j``, and the Hessian of
    :func:`numeric.pairwise.assemble_hessian` (Lemma D.1's chain rule for ``u = ||w|| w``).
    """
    PI = F.pi()
    value_gradient = getattr(pair_kernels, f"{rows.activation}_value_gradient_sc")
    pts = neuron_points(rows, F)
    n, d = len(pts), rows.d
    cos, angle = pair_angle_table(F, pts)
    pair = {(i, j): value_gradient(pts[i].norm, pts[j].norm, *angle[i][j], PI, F)
            for i in range(n) for j in range(n) if i <= j or pts[i].student is not None}
    loss = F.zero()
    for i in range(n):
        for j in range(i, n):
            loss += (1 if i == j else 2) * pts[i].sign * pts[j].sign * pair[i, j][0]
    loss = loss / 2
    linear = None
    if rows.activation == "relu":  # App. A: the best linear term removes 1/4 |sum c z|^2
        linear = [sum((p.sign * p.norm * p.unit[k] for p in pts), F.zero()) for k in range(d)]
        loss -= sum((v * v for v in linear), F.zero()) / 8
    y = {}
    grad = [tuple(F.zero() for _ in range(d)) for _ in range(rows.m)]
    students = [i for i in range(n) if pts[i].student is not None]
    for i in students:
        yi = [F.zero() for _ in range(d)]
        for j in range(n):
            _, g_u, g_v = pair[i, j]
            for k in range(d):
                yi[k] += pts[j].sign * (g_u * pts[i].unit[k] + g_v * pts[j].unit[k])
        if linear is not None:
            yi = [yi[k] - linear[k] / 4 for k in range(d)]
        y[pts[i].student] = yi
        along = sum((a * b for a, b in zip(pts[i].unit, yi)), F.zero())
        grad[pts[i].student] = tuple(pts[i].w_norm * (yi[k] + along * pts[i].unit[k]) for k in range(d))
    hess = None
    if want_hessian:
        coefficients = getattr(pair_kernels, f"{rows.activation}_hessian_sc")
        hess = assemble_hessian(rows, F, PI, pts, students, cos, angle, y, coefficients)
    return Evaluation(loss, tuple(grad), hess, int(flint.ctx.dps), F.name)
