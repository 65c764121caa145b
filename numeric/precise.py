"""Loss, gradient and Hessian at any precision, on mpmath numbers or python-flint balls.

The loss is a sum of pair kernels of the effective vectors ``u_j = ||w_j|| w_j`` (students,
sign +1) and ``w*_i`` (teachers, sign -1)::

    L = 1/2 sum_{alpha, beta} c_alpha c_beta k(z_alpha, z_beta)

and its derivatives are assembled from the pair coefficients of :mod:`symbolic.pair`,
compiled into :mod:`numeric._pair_code`.  Precision is given per call and set with the
backend's context manager; the caller's precision is untouched.

>>> from numeric.config import Configuration
>>> c = Configuration.from_dict({"teacher": [[1, 0]], "student": [[1, 0]]})
>>> e = evaluate(c, dps=20, backend="mpmath")
>>> e.loss, e.gradient
(mpf('0.0'), ((mpf('0.0'), mpf('0.0')),))
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from numeric import _pair_code
from numeric.config import Configuration, ConfigurationError
from numeric.fields import field as _field

__all__ = ["Evaluation", "UndefinedQuantityError", "evaluate", "pair_angle", "pair_angle_sin_cos"]

#: Below this |cos|, the angle from the Gram matrix is well conditioned; above it we use
#: the half-angle form from the difference vectors (Kahan), which keeps full relative
#: accuracy for nearly aligned or antipodal neurons.
_COS_SWITCH = 0.9


class UndefinedQuantityError(ConfigurationError):
    """A quantity that is undefined at this configuration (e.g. a Hessian at w_j = 0)."""


@dataclass(frozen=True)
class Evaluation:
    """Loss, gradient (``m x d``) and optionally Hessian (``md x md``) at ``dps`` digits.

    Entries are backend numbers: ``mpmath.mpf`` or ``flint.arb`` balls.  The Hessian's row
    and column order is ``w_1[0..d-1], w_2[0..d-1], ...``.
    """

    loss: Any
    gradient: tuple | None
    hessian: tuple | None
    dps: int
    backend: str

    def gradient_norm_squared(self):
        return sum(x * x for row in self.gradient for x in row)


@dataclass
class _Point:
    student: int | None  # row index for students, None for teachers
    sign: int
    norm: Any  # |z| : ||w||^2 for a student, ||w*|| for a teacher
    unit: list
    w_norm: Any = None  # ||w|| for a student


def _norm(F, row):
    return F.norm(row)


def _points(config: Configuration, F) -> list:
    pts = []
    zero = set(config.zero_students())
    for j, row in enumerate(config.student):
        if j in zero:
            continue
        w = [F.number(x) for x in row]
        nw = _norm(F, w)
        pts.append(_Point(j, 1, nw * nw, [x / nw for x in w], nw))
    for row in config.teacher:
        if not any(row):
            continue  # a zero teacher neuron contributes nothing to f*
        w = [F.number(x) for x in row]
        n = _norm(F, w)
        pts.append(_Point(None, -1, n, [x / n for x in w]))
    return pts


def pair_angle_sin_cos(F, u_hat, v_hat, cos):
    """``(theta, sin theta, cos theta)`` for unit vectors with ``cos = u_hat . v_hat``.

    ``theta = atan2(sqrt(1 - cos^2), cos)`` where ``|cos| < 0.9``; elsewhere Kahan's
    half-angle form ``theta = 2 atan2(|u - v|, |u + v|)``, with ``sin theta = |u - v||u + v| / 2``
    and ``cos theta = (|u + v|^2 - |u - v|^2) / 4`` (exact for unit vectors), which keep full
    relative accuracy for nearly aligned or antipodal neurons.  ``acos`` is never used.
    """
    if abs(F.mid(cos)) < _COS_SWITCH:
        sin = F.sqrt(1 - cos * cos)
        return F.atan2(sin, cos), sin, cos
    diff = _norm(F, [x - y for x, y in zip(u_hat, v_hat)])
    plus = _norm(F, [x + y for x, y in zip(u_hat, v_hat)])
    return 2 * F.atan2(diff, plus), diff * plus / 2, (plus * plus - diff * diff) / 4


def pair_angle(F, u_hat, v_hat, cos):
    """The angle in ``[0, pi]`` between unit vectors; see :func:`pair_angle_sin_cos`."""
    return pair_angle_sin_cos(F, u_hat, v_hat, cos)[0]


def _functions(activation):
    return (
        getattr(_pair_code, f"{activation}_value_gradient_sc"),
        getattr(_pair_code, f"{activation}_hessian_sc"),
    )


def evaluate(
    config: Configuration,
    dps: int = 30,
    *,
    backend: str = "arb",
    gradient: bool = True,
    hessian: bool = False,
) -> Evaluation:
    """Evaluate the loss (and gradient, Hessian) of ``config`` at ``dps`` decimal digits.

    ``backend="arb"`` returns rigorous balls (radius = error bound); ``"mpmath"`` returns
    floating-point numbers.  The Hessian raises :class:`UndefinedQuantityError` at a
    zero-norm student neuron, where ``u = ||w|| w`` is not twice differentiable.
    """
    if not isinstance(dps, int) or dps < 1:
        raise ConfigurationError(f"dps = {dps!r} must be a positive integer")
    F = _field(backend)
    if hessian:
        zero = config.zero_students()
        if zero:
            raise UndefinedQuantityError(
                f"the Hessian is undefined at zero-norm student neuron {zero[0]} "
                f"(student row {zero[0]} is the zero vector; u = ||w|| w is not twice "
                "differentiable at w = 0)"
            )
    with F.workdps(dps):
        return _evaluate(config, F, dps, gradient or hessian, hessian)


def _evaluate(config, F, dps, want_gradient, want_hessian):
    PI = F.pi()
    value_gradient, hessian_coefficients = _functions(config.activation)
    pts = _points(config, F)
    n = len(pts)
    cos = F.gram([p.unit for p in pts]) if n else []
    # angle[i][j] = (theta, sin theta, cos theta); the generated code takes all three.
    angle = [[None] * n for _ in range(n)]
    for i in range(n):
        angle[i][i] = (F.zero(), F.zero(), F.q(1, 1))
        for j in range(i + 1, n):
            angle[i][j] = angle[j][i] = pair_angle_sin_cos(F, pts[i].unit, pts[j].unit, cos[i][j])

    # Loss: 1/2 sum c c k, with the diagonal counted once and each pair twice.
    loss = F.zero()
    pair_values = {}
    for i in range(n):
        for j in range(i, n):
            if want_gradient and pts[i].student is not None:
                vals = value_gradient(pts[i].norm, pts[j].norm, *angle[i][j], PI, F)
                pair_values[i, j] = vals
                k = vals[0]
            else:
                k = value_gradient(pts[i].norm, pts[j].norm, *angle[i][j], PI, F)[0]
            weight = 1 if i == j else 2
            loss += weight * pts[i].sign * pts[j].sign * k
    loss = loss / 2
    linear = None
    if config.activation == "relu":
        # App. A: the best linear term beta = -E[x F(x)] removes 1/4 |sum c z|^2.
        linear = [
            sum((p.sign * p.norm * p.unit[k] for p in pts), F.zero()) for k in range(config.d)
        ]
        loss -= sum((x * x for x in linear), F.zero()) / 8

    if not want_gradient:
        return Evaluation(loss, None, None, dps, F.name)

    # grad_u L for each student: sum_beta c_beta (g_u u_hat + g_v z_hat_beta).
    zero_row = lambda: [F.zero() for _ in range(config.d)]
    y = {j: zero_row() for j in range(config.m)}
    students = [i for i in range(n) if pts[i].student is not None]
    if students:
        gamma = [[F.zero()] * n for _ in students]
        self_coef = []
        for row, i in enumerate(students):
            s = F.zero()
            for j in range(n):
                if j >= i:
                    _, g_u, g_v = pair_values[i, j]
                else:
                    _, g_u, g_v = value_gradient(pts[i].norm, pts[j].norm, *angle[i][j], PI, F)
                gamma[row][j] = pts[j].sign * g_v
                s += pts[j].sign * g_u
            self_coef.append(s)
        spread = F.matmul(gamma, [p.unit for p in pts])
        for row, i in enumerate(students):
            u_hat = pts[i].unit
            yi = [spread[row][k] + self_coef[row] * u_hat[k] for k in range(config.d)]
            if linear is not None:
                yi = [yi[k] - linear[k] / 4 for k in range(config.d)]
            y[pts[i].student] = yi

    grad = []
    by_student = {pts[i].student: pts[i] for i in students}
    for j in range(config.m):
        if j not in by_student:
            grad.append(tuple(zero_row()))  # ||w|| (I + w w^T/|w|^2) -> 0 at w = 0
            continue
        p = by_student[j]
        yj = y[j]
        along = sum((a * b for a, b in zip(p.unit, yj)), F.zero())
        grad.append(tuple(p.w_norm * (yj[k] + along * p.unit[k]) for k in range(config.d)))

    hess = None
    if want_hessian:
        hess = _hessian(config, F, PI, pts, students, cos, angle, y, hessian_coefficients)
    return Evaluation(loss, tuple(grad), hess, dps, F.name)


def _unit_orthogonal(F, u_hat, v_hat, cos):
    """Unit part of ``v_hat`` orthogonal to ``u_hat``, or a placeholder where it vanishes.

    Every coefficient that multiplies it vanishes at ``sin theta = 0`` (the pair
    derivation shows this), so there any direction gives the limit: mpmath takes 0; for
    balls we take entries ``[-1, 1]``, which keeps the enclosure rigorous.
    """
    perp = [v - cos * u for u, v in zip(u_hat, v_hat)]
    length = _norm(F, perp)
    if F.name == "arb":
        if length > 0:
            return [x / length for x in perp]
        from flint import arb

        return [arb(0, 1) for _ in perp]
    if length == 0:
        return [F.zero() for _ in perp]
    return [x / length for x in perp]


def _block(F, coef, u, e, d):
    """``c0 I + c1 u u^T + c2 u e^T + c3 e u^T + c4 e e^T`` as a list of rows."""
    c0, c1, c2, c3, c4 = coef
    rows = []
    for i in range(d):
        row = []
        for k in range(d):
            v = c1 * u[i] * u[k] + c2 * u[i] * e[k] + c3 * e[i] * u[k] + c4 * e[i] * e[k]
            if i == k:
                v += c0
            row.append(v)
        rows.append(row)
    return rows


def _add_into(target, block, scale=1):
    for i, row in enumerate(block):
        t = target[i]
        for k, v in enumerate(row):
            t[k] += scale * v


def _hessian(config, F, PI, pts, students, cos, angle, y, hessian_coefficients):
    d, m = config.d, config.m
    zeros = lambda: [[F.zero() for _ in range(d)] for _ in range(d)]
    Hu = {}
    index = {pts[i].student: i for i in students}
    for i in students:
        j = pts[i].student
        diag = zeros()
        for b in range(len(pts)):
            coef = hessian_coefficients(pts[i].norm, pts[b].norm, *angle[i][b], PI, F)
            if b == i:
                # d2/du2 of the self term 1/2 k(u, u): H_uu + H_uv at theta = 0.
                _add_into(diag, _block(F, coef[5:], pts[i].unit, [F.zero()] * d, d))
                continue
            e = _unit_orthogonal(F, pts[i].unit, pts[b].unit, cos[i][b])
            _add_into(diag, _block(F, coef[:5], pts[i].unit, e, d), pts[b].sign)
            other = pts[b].student
            if other is not None and other > j:
                Hu[j, other] = _block(F, coef[5:], pts[i].unit, e, d)
        Hu[j, j] = diag
    if config.activation == "relu":
        quarter = F.q(1, 4)
        for key, block in Hu.items():
            for k in range(d):
                block[k][k] -= quarter

    def chain(j, l, X):
        """J_j X J_l with J = ||w|| (I + w_bar w_bar^T)."""
        pj, pl = pts[index[j]], pts[index[l]]
        a, c = pj.unit, pl.unit
        aX = [sum((a[i] * X[i][k] for i in range(d)), F.zero()) for k in range(d)]
        Xc = [sum((X[i][k] * c[k] for k in range(d)), F.zero()) for i in range(d)]
        aXc = sum((aX[k] * c[k] for k in range(d)), F.zero())
        s = pj.w_norm * pl.w_norm
        return [
            [s * (X[i][k] + a[i] * aX[k] + Xc[i] * c[k] + aXc * a[i] * c[k]) for k in range(d)]
            for i in range(d)
        ]

    full = [[F.zero() for _ in range(m * d)] for _ in range(m * d)]
    for (j, l), X in Hu.items():
        B = chain(j, l, X)
        if j == l:
            # second-order term of u = ||w|| w: y w^T + w y^T + (y.w)(I - w w^T), w unit.
            w = pts[index[j]].unit
            yj = y[j]
            yw = sum((p * q for p, q in zip(yj, w)), F.zero())
            for i in range(d):
                for k in range(d):
                    extra = yj[i] * w[k] + w[i] * yj[k] - yw * w[i] * w[k]
                    if i == k:
                        extra += yw
                    B[i][k] += extra
        for i in range(d):
            for k in range(d):
                full[j * d + i][l * d + k] = B[i][k]
                full[l * d + k][j * d + i] = B[i][k]
    return tuple(tuple(row) for row in full)
