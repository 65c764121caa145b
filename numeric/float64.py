"""Vectorised numpy float64 evaluation: the fast path for dynamics and sampling.

Same mathematics and the same generated pair code as :mod:`numeric.precise`, on arrays.
It agrees with the high-precision path to float64 accuracy, but at small loss the closed
form subtracts O(1) terms, so its loss has an absolute error of about ``1e-16 * scale``:
never decide a verdict from it (use :func:`numeric.precision.guaranteed_loss`).

>>> import numpy as np
>>> L, G = loss_and_gradient(np.array([[1.0, 0.0]]), np.array([[0.5, 0.0]]))
>>> round(L, 6), G.round(6).tolist()
(0.28125, [[-0.75, 0.0]])
"""
from __future__ import annotations

import types

import numpy as np

from numeric import pair_kernels
from numeric.pairwise import angular_factor
from numeric.precise import UndefinedQuantityError

__all__ = ["loss", "loss_and_gradient", "hessian", "as_arrays"]

_NUMPY = types.SimpleNamespace(
    sin=np.sin, cos=np.cos, sqrt=np.sqrt, atan2=np.arctan2, exp=np.exp, log=np.log,
    q=lambda p, q: p / q,
)
_COS_SWITCH = 0.9


def as_arrays(config):
    """``(teacher, student, activation)`` of a :class:`numeric.Configuration` as float64."""
    def rows(name, data):
        try:
            return np.array([[float(x) for x in row] for row in data], dtype=float)
        except OverflowError:
            raise ValueError(
                f"{name} has an entry beyond the float64 range; use numeric.evaluate "
                "(high precision) for this configuration"
            ) from None
    return rows("teacher", config.teacher), rows("student", config.student), config.activation


def _check(teacher, student):
    teacher = np.asarray(teacher, dtype=float)
    student = np.asarray(student, dtype=float)
    if teacher.ndim != 2 or student.ndim != 2:
        raise ValueError(
            f"teacher and student must be 2-d arrays (rows are neurons); got shapes "
            f"{teacher.shape} and {student.shape}"
        )
    if teacher.shape[1] != student.shape[1]:
        raise ValueError(
            f"student rows have {student.shape[1]} entries, teacher rows have "
            f"{teacher.shape[1]} (dimension d = {teacher.shape[1]})"
        )
    for name, arr in (("teacher", teacher), ("student", student)):
        if np.isfinite(arr).all():
            continue
        i, k = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(f"{name}[{i}][{k}] = {arr[i, k]} is not finite")
    return teacher, student


def _points(teacher, student):
    """Effective vectors z (students ||w|| w, then teachers), signs, norms, units."""
    m = len(student)
    rows = np.vstack([student, teacher])
    row_norm = np.sqrt(np.einsum("ak,ak->a", rows, rows))
    w_norm = row_norm[:m]
    if row_norm.all():  # the common case: no zero neuron (keep_s is None: all kept)
        units = rows / row_norm[:, None]
        norms = row_norm.copy()
        norms[:m] *= w_norm
        signs = np.ones(len(rows))
        signs[m:] = -1.0
        return units, norms, signs, None, w_norm
    keep_s = w_norm > 0
    keep_t = row_norm[m:] > 0
    t_norm = row_norm[m:]
    units = np.vstack([student[keep_s] / w_norm[keep_s, None], teacher[keep_t] / t_norm[keep_t, None]])
    norms = np.concatenate([w_norm[keep_s] ** 2, t_norm[keep_t]])
    signs = np.concatenate([np.ones(keep_s.sum()), -np.ones(keep_t.sum())])
    return units, norms, signs, keep_s, w_norm


def _angles(units, want_cos=False):
    """Gram cosines and ``(theta, sin, cos)`` arrays, as in :func:`numeric.pairwise.pair_angle_sin_cos`.

    ``arccos`` is well conditioned where it is used (``|cos| < 0.9``); nearly aligned or
    antipodal pairs get Kahan's half-angle form, the diagonal exact zeros.
    """
    gram = units @ units.T
    np.clip(gram, -1.0, 1.0, out=gram)
    theta = np.arccos(gram)
    sin = np.sqrt(1.0 - gram * gram)  # >= 0: |gram| <= 1 after clipping
    cos = gram.copy() if want_cos else gram  # the loss and gradient do not use cos
    near = np.abs(gram) >= _COS_SWITCH
    if np.count_nonzero(near) > len(units):  # more than the diagonal
        np.fill_diagonal(near, False)
        i, j = np.nonzero(near)
        diff = np.linalg.norm(units[i] - units[j], axis=1)
        plus = np.linalg.norm(units[i] + units[j], axis=1)
        theta[i, j] = 2.0 * np.arctan2(diff, plus)
        sin[i, j] = diff * plus / 2
        if want_cos:
            cos[i, j] = (plus * plus - diff * diff) / 4
    np.fill_diagonal(theta, 0.0)
    np.fill_diagonal(sin, 0.0)
    if want_cos:
        np.fill_diagonal(cos, 1.0)
    return gram, (theta, sin, cos)


def _core(teacher, student, activation, want_hessian):
    teacher, student = _check(teacher, student)
    m, d = student.shape
    units, norms, signs, keep_s, w_norm = _points(teacher, student)
    ms = m if keep_s is None else int(keep_s.sum())
    cos, angle = _angles(units, want_cos=want_hessian)
    # As in numeric.precise: grad_u k(u, v) = |v| (phi_u u_hat + phi_v v_hat) with affine
    # angular factors, and L = 1/2 sum_a c_a z_a . y_a by Euler's relation.
    phi_u, phi_v = getattr(pair_kernels, f"{activation}_gradient_angular")(np.pi, _NUMPY)
    x = signs * norms
    cz = x[:, None] * units  # c_a z_a
    y_all = (angular_factor(phi_u, angle) @ x)[:, None] * units + angular_factor(phi_v, angle) @ cz
    loss = 0.5 * np.vdot(cz, y_all)
    linear = None
    if activation == "relu":
        linear = x @ units
        loss -= linear @ linear / 8
    ys = y_all[:ms]
    if linear is not None:
        ys = ys - linear / 4
    if ms == m:
        y, wbar = ys, units[:m]
    else:  # zero students: gradient 0 (||w|| (I + w w^T/|w|^2) -> 0 at w = 0)
        y = np.zeros((m, d))
        y[keep_s] = ys
        wbar = np.zeros((m, d))
        wbar[keep_s] = units[:ms]
    along = np.einsum("jk,jk->j", wbar, y)
    grad = w_norm[:, None] * (y + along[:, None] * wbar)
    out = [float(loss), grad]
    if want_hessian:
        hessian_coefficients = getattr(pair_kernels, f"{activation}_hessian_sc")
        out.append(_hessian(activation, m, d, units, norms, signs, cos, angle, y, wbar, w_norm,
                            hessian_coefficients))
    return out


def _hessian(activation, m, d, units, norms, signs, cos, angle, y, wbar, w_norm, hessian_coefficients):
    A, B = np.meshgrid(norms[:m], norms, indexing="ij")
    coef = np.array([np.broadcast_to(c, A.shape) for c in hessian_coefficients(A, B, *(x[:m] for x in angle), np.pi, _NUMPY)])
    u = units[:m]
    perp = units[None, :, :] - cos[:m, :, None] * u[:, None, :]
    length = np.linalg.norm(perp, axis=2)
    e = np.divide(perp, length[..., None], out=np.zeros_like(perp), where=length[..., None] > 0)
    eye = np.eye(d)

    def blocks(c):  # c: (5, m, n) -> (m, n, d, d)
        return (
            c[0][..., None, None] * eye
            + c[1][..., None, None] * np.einsum("ji,jk->jik", u, u)[:, None]
            + c[2][..., None, None] * np.einsum("ji,jbk->jbik", u, e)
            + c[3][..., None, None] * np.einsum("jbi,jk->jbik", e, u)
            + c[4][..., None, None] * np.einsum("jbi,jbk->jbik", e, e)
        )

    Huu = blocks(coef[:5])  # (m, n, d, d)
    Huv = blocks(coef[5:])
    Hu = Huv[:, :m].copy()  # cross blocks between students (c_j c_l = 1)
    mask = ~np.eye(m, dtype=bool)
    diag = np.einsum("b,jbik->jik", signs, Huu * (1 - np.eye(m, len(norms))[..., None, None]))
    diag += coef[5, np.arange(m), np.arange(m)][:, None, None] * eye  # self term, theta = 0
    Hu[~mask] = diag
    if activation == "relu":
        Hu -= eye / 4
    J = w_norm[:, None, None] * (eye + np.einsum("ji,jk->jik", wbar, wbar))
    H = np.einsum("jab,jlbc,lcd->jlad", J, Hu, J)
    yw = np.einsum("jk,jk->j", y, wbar)
    extra = (
        np.einsum("ji,jk->jik", y, wbar)
        + np.einsum("ji,jk->jik", wbar, y)
        + yw[:, None, None] * (eye - np.einsum("ji,jk->jik", wbar, wbar))
    )
    H[np.arange(m), np.arange(m)] += extra
    return H.transpose(0, 2, 1, 3).reshape(m * d, m * d)


def loss(teacher, student, activation="abs") -> float:
    """The loss ``L(W)`` in float64 (see the module note on cancellation)."""
    return _core(teacher, student, activation, False)[0]


def loss_and_gradient(teacher, student, activation="abs"):
    """``(L, grad)`` with ``grad`` of shape ``(m, d)``, rows ``grad_{w_j} L``."""
    L, G = _core(teacher, student, activation, False)
    return L, G


def hessian(teacher, student, activation="abs"):
    """The ``md x md`` Hessian, row/column order ``w_1[0..d-1], w_2[0..d-1], ...``."""
    _, student_arr = _check(teacher, student)
    zero = np.nonzero(~np.any(student_arr != 0, axis=1))[0]
    if zero.size:
        raise UndefinedQuantityError(
            f"the Hessian is undefined at zero-norm student neuron {zero[0]} "
            f"(student row {zero[0]} is the zero vector)"
        )
    return _core(teacher, student, activation, True)[2]
