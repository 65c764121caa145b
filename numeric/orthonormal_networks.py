"""The networks whose loss at orthonormal teachers the fixed-point restriction takes
(:class:`numeric.fixed_point.RestrictedModel`): what it needs of each, as a record.

>>> ABS_TEACHER_STUDENT.signed, RELU_UNIT_OUTPUT.signed
(True, False)
>>> import math  # r = 2: 1/2 (k(e_1, e_1) + k(e_2, e_2) + 2 k(e_1, e_2)) = 1/2 (2 + 4/pi)
>>> abs(float(ABS_TEACHER_STUDENT.teacher_constant(2)) - (1 + 2 / math.pi)) < 1e-15
True
>>> float(RELU_UNIT_OUTPUT.half_self_teacher())  # k(e, e) / 2 = 1/4
0.25
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from flint import arb

from numeric import float64 as f64
from numeric.safran_shamir import SafranShamirModel
from numeric.stationary import TeacherStudentModel

__all__ = ["OrthonormalNetwork", "ABS_TEACHER_STUDENT", "RELU_UNIT_OUTPUT"]


@dataclass(frozen=True)
class OrthonormalNetwork:
    """What :class:`RestrictedModel` needs of a network's loss against the orthonormal
    teachers ``e_1..e_r`` (``d = r``), both with the factor 1/2: its ``name``; ``signed``,
    whether signed permutations are symmetries (the loss is even in every row and
    coordinate) or only unsigned ones; ``half_self_teacher()``, ``k(e, e) / 2``;
    ``teacher_constant(r)``, ``1/2 sum_{t, t'} k(e_t, e_t')``; ``self_term(key, y, n,
    want_hessian)``, ``1/2 k(u, u)`` of a student with ``|w|^2 = Q = sum cnt y_k^2`` and
    its derivatives in ``y`` (balls); ``small_model(teacher, students)``, the ball evaluator
    (protocol of :mod:`numeric.stationary`) of one exact teacher row; ``loss_gradient64(r,
    m)``, a float64 function ``W -> (L, grad L as an m x r array)``."""

    name: str
    signed: bool
    half_self_teacher: Callable
    teacher_constant: Callable
    self_term: Callable
    small_model: Callable
    loss_gradient64: Callable


def _abs_self_term(key, y, n, want_hessian):
    """``Q^2 / 2`` (``u = |w| w``, ``k(u, u) = |u|^2 = Q^2``)."""
    Q = sum((cnt * y[k] * y[k] for k, cnt in key), arb(0))
    grad = [arb(0)] * n
    hess = [[arb(0)] * n for _ in range(n)] if want_hessian else None
    value = Q * Q / 2
    for k, cnt in key:
        grad[k] = 2 * Q * cnt * y[k]
    if want_hessian:
        for k, ck in key:
            for l, cl in key:
                hess[k][l] += 4 * ck * y[k] * cl * y[l]
            hess[k][k] += 2 * Q * ck
    return value, grad, hess


def _relu_self_term(key, y, n, want_hessian):
    """``Q / 4`` (ReLU: ``k(w, w) = |w|^2 / 2``)."""
    Q = sum((cnt * y[k] * y[k] for k, cnt in key), arb(0))
    grad = [arb(0)] * n
    hess = [[arb(0)] * n for _ in range(n)] if want_hessian else None
    value = Q / 4
    for k, cnt in key:
        grad[k] = cnt * y[k] / 2
        if want_hessian:
            hess[k][k] += arb(cnt) / 2
    return value, grad, hess


def _abs_loss_gradient64(r, m):
    teacher = np.eye(r)
    return lambda W: f64.loss_and_gradient(teacher, W, "abs")


def _relu_loss_gradient64(r, m):
    model = SafranShamirModel.orthonormal(r, m)

    def loss_gradient(W):
        L, g = model.loss_gradient64(W.reshape(-1))
        return L, g.reshape(W.shape)
    return loss_gradient


#: Zhou-Ge-Jin's network (Definition 2): students ``||w|| |w.x|``, absolute-value teachers.
#: ``k(e, e) = 1``, ``k(e_i, e_j) = 2/pi``.
ABS_TEACHER_STUDENT = OrthonormalNetwork(
    name="teacher-student, absolute value",
    signed=True,
    half_self_teacher=lambda: arb(1) / 2,
    teacher_constant=lambda r: (r + r * (r - 1) * 2 / arb.pi()) / 2,
    self_term=_abs_self_term,
    small_model=lambda teacher, students: TeacherStudentModel(teacher, students, "abs"),
    loss_gradient64=_abs_loss_gradient64,
)

#: Safran and Shamir's network: ReLU students with unit output weights.  ``k(e, e) = 1/2``,
#: ``k(e_i, e_j) = 1/(2 pi)``.
RELU_UNIT_OUTPUT = OrthonormalNetwork(
    name="ReLU, unit output weights",
    signed=False,
    half_self_teacher=lambda: arb(1) / 4,
    teacher_constant=lambda r: (arb(r) / 2 + r * (r - 1) / (2 * arb.pi())) / 2,
    self_term=_relu_self_term,
    small_model=lambda teacher, students: SafranShamirModel(teacher, students),
    loss_gradient64=_relu_loss_gradient64,
)
