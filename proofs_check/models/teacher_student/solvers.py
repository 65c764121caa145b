"""From a start to a reduced stationary point: the zero search (Levenberg-Marquardt on
``||grad L||^2``, deflated, :func:`numeric.zero_search.levenberg_marquardt`), the descent
(:func:`numeric.stationary.descend`), and the zero search on a fixed-point subspace
(:mod:`proofs_check.models.teacher_student.symmetry_seeds`), each followed by the reduction of
:mod:`proofs_check.models.teacher_student.reduction`.
"""
from __future__ import annotations

import numpy as np

from numeric.stationary import TeacherStudentModel, descend
from numeric.zero_search import levenberg_marquardt
from proofs_check.errors import check_termination
from proofs_check.landscape.types import NEAR_GLOBAL
from proofs_check.models.teacher_student.reduction import COARSE, STALLED, Reduced, reduce_point
from proofs_check.models.teacher_student.symmetry_seeds import RestrictedDeflation, RestrictedModel

__all__ = ["descend_and_reduce", "zero_search_and_reduce", "subspace_search_and_reduce", "finish"]


def finish(model, x, loss: float, gradient_norm: float, converged: bool):
    """The reduction of a float64 end point ``x``; when the run stalled near a degenerate
    point (``||grad|| < STALLED``), reduce coarsely and finish with Newton on the reduced
    rows.  None if no zero found."""
    if converged and loss > NEAR_GLOBAL:
        return reduce_point(model.rows(x))
    if not gradient_norm < STALLED:
        return None
    near_global = loss < NEAR_GLOBAL
    reduced = reduce_point(model.rows(x), zero_row=COARSE, aligned=10 * COARSE if near_global else COARSE)
    if len(reduced.W) == 0:
        return reduced
    red_model = TeacherStudentModel(model.teacher, len(reduced.W), model.activation)
    polished = descend(red_model, reduced.W.reshape(-1), gd_steps=0)
    if not polished.converged:
        return None
    return Reduced(red_model.rows(polished.x), reduced.groups, reduced.zero_rows)


def descend_and_reduce(model, W0):
    """Descend from ``W0`` (:func:`numeric.stationary.descend`), then :func:`finish`."""
    d = descend(model, W0.reshape(-1))
    return finish(model, d.x, d.loss, d.gradient_norm, d.converged)


def zero_search_and_reduce(model, W0, deflation=None, deadline: float | None = None):
    """Levenberg-Marquardt on ``||M grad L||^2`` from ``W0``, then :func:`finish`."""
    z = levenberg_marquardt(model, W0.reshape(-1), deflation=deflation, deadline=deadline,
                            on_iteration=check_termination)
    return finish(model, z.x, z.loss, z.gradient_norm, z.converged)


def subspace_search_and_reduce(model, basis, z0, deflation=None, deadline: float | None = None):
    """The zero search on the subspace ``x = basis z`` from ``z0``, lifted, then
    :func:`finish` in the full space (symmetric criticality: a zero of the restricted
    gradient is a zero of the full one, which the full gradient norm confirms)."""
    restricted = RestrictedModel(model, basis)
    deflate = None if deflation is None else RestrictedDeflation(deflation, basis)
    z = levenberg_marquardt(restricted, z0, deflation=deflate, deadline=deadline,
                            on_iteration=check_termination)
    x = model.snap(restricted.lift(z.x))
    loss, g = model.loss_gradient64(x)
    gn = float(np.linalg.norm(g))
    return finish(model, x, loss, gn, gn < 1e-11)
