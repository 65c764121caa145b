"""The pairwise form of the loss and its derivatives, shared by the evaluators that take the
neurons pair by pair: the Hessian on balls (:mod:`numeric.precise`), boxes of rows
(:mod:`numeric.box_evaluation`), the sign blocks of :mod:`numeric.decomposition` and
Safran and Shamir's model.

A neuron is a :class:`NeuronPoint`: the effective vector ``z = ||w|| w`` (student, sign +1)
or ``w*`` (teacher, sign -1) as its norm and unit direction; a pair is its angle, sine and
cosine (:func:`pair_angle_sin_cos`), and the unit part of one direction orthogonal to the
other (:func:`unit_orthogonal`); second derivatives of a pair kernel are ``d x d`` blocks on
the basis ``(I, u u^T, u e^T, e u^T, e e^T)`` (:func:`hessian_block`), assembled into the
Hessian in the student parameters by the chain rule of Lemma D.1 (:func:`assemble_hessian`).
The gradient's angular factors of :mod:`numeric.pair_kernels` are evaluated by
:func:`angular_factor`.

>>> from numeric.fields import MPMATH
>>> import mpmath
>>> with MPMATH.workdps(15):
...     theta = pair_angle(MPMATH, [mpmath.mpf(1), 0], [0, mpmath.mpf(1)], mpmath.mpf(0))
>>> mpmath.nstr(theta, 6)
'1.5708'
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "COS_SWITCH",
    "NeuronPoint",
    "neuron_points",
    "pair_angle_sin_cos",
    "pair_angle",
    "pair_angle_table",
    "unit_orthogonal",
    "hessian_block",
    "assemble_hessian",
    "angular_factor",
]

#: Below this ``|cos|``, the angle from the Gram matrix is well conditioned; above it we use
#: the half-angle form from the difference vectors (Kahan), which keeps full relative
#: accuracy for nearly aligned or antipodal neurons.
COS_SWITCH = 0.9


@dataclass
class NeuronPoint:
    """One nonzero neuron of the loss's pair sum: its effective vector's norm and unit direction."""

    student: int | None  # row index for students, None for teachers
    sign: int
    norm: Any  # |z| : ||w||^2 for a student, ||w*|| for a teacher
    unit: list
    w_norm: Any = None  # ||w|| for a student


def neuron_points(config, F) -> list:
    """The nonzero student neurons (``z = ||w|| w``) then the nonzero teacher neurons of
    ``config`` (anything with ``student``, ``teacher`` and ``zero_students()``), on ``F``."""
    pts = []
    zero = set(config.zero_students())
    for j, row in enumerate(config.student):
        if j in zero:
            continue
        w = [F.number(x) for x in row]
        nw = F.norm(w)
        pts.append(NeuronPoint(j, 1, nw * nw, [x / nw for x in w], nw))
    for row in config.teacher:
        if not any(row):
            continue  # a zero teacher neuron contributes nothing to f*
        w = [F.number(x) for x in row]
        n = F.norm(w)
        pts.append(NeuronPoint(None, -1, n, [x / n for x in w]))
    return pts


def pair_angle_sin_cos(F, u_hat, v_hat, cos):
    """``(theta, sin theta, cos theta)`` for unit vectors with ``cos = u_hat.v_hat``.

    ``theta = atan2(sqrt(1 - cos^2), cos)`` where ``|cos| < 0.9``; elsewhere Kahan's
    half-angle form ``theta = 2 atan2(|u - v|, |u + v|)``, with ``sin theta = |u - v||u + v| / 2``
    and ``cos theta = (|u + v|^2 - |u - v|^2) / 4`` (exact for unit vectors), which keep full
    relative accuracy for nearly aligned or antipodal neurons.  ``acos`` is never used.
    """
    if abs(F.mid(cos)) < COS_SWITCH:
        sin = F.sqrt(1 - cos * cos)
        return F.atan2(sin, cos), sin, cos
    diff = F.norm( [x - y for x, y in zip(u_hat, v_hat)])
    plus = F.norm( [x + y for x, y in zip(u_hat, v_hat)])
    return 2 * F.atan2(diff, plus), diff * plus / 2, (plus * plus - diff * diff) / 4


def pair_angle(F, u_hat, v_hat, cos):
    """The angle in ``[0, pi]`` between unit vectors; see :func:`pair_angle_sin_cos`."""
    return pair_angle_sin_cos(F, u_hat, v_hat, cos)[0]


def pair_angle_table(F, pts):
    """The Gram matrix of the neurons' unit vectors and the symmetric table of
    ``(theta, sin theta, cos theta)`` for every pair (:func:`pair_angle_sin_cos`; the diagonal
    is ``(0, 0, 1)``)."""
    n = len(pts)
    cos = F.gram([p.unit for p in pts]) if n else []
    angle = [[None] * n for _ in range(n)]
    for i in range(n):
        angle[i][i] = (F.zero(), F.zero(), F.q(1, 1))
        for j in range(i + 1, n):
            angle[i][j] = angle[j][i] = pair_angle_sin_cos(F, pts[i].unit, pts[j].unit, cos[i][j])
    return cos, angle


def unit_orthogonal(F, u_hat, v_hat, cos):
    """Unit part of ``v_hat`` orthogonal to ``u_hat``, or a placeholder where it vanishes.

    Every coefficient that multiplies it vanishes at ``sin theta = 0`` (the pair
    derivation shows this), so there any direction gives the limit: mpmath takes 0; for
    balls we take entries ``[-1, 1]``, which keeps the enclosure rigorous.
    """
    perp = [v - cos * u for u, v in zip(u_hat, v_hat)]
    length = F.norm(perp)
    if F.name == "arb":
        if length > 0:
            return [x / length for x in perp]
        from flint import arb

        return [arb(0, 1) for _ in perp]
    if length == 0:
        return [F.zero() for _ in perp]
    return [x / length for x in perp]


def hessian_block(F, coef, u, e, d):
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


def assemble_hessian(config, F, PI, pts, students, cos, angle, y, hessian_coefficients):
    """The ``md x md`` Hessian in the student rows ``w_j`` from the pair blocks of
    ``hessian_coefficients`` (``d2k/du du^T`` then ``d2k/du dv^T``) at the neurons ``pts``
    (:func:`neuron_points`) with their Gram cosines and pair angles, and the gradient sums
    ``y[j] = sum_b c_b grad_u k(z_j, z_b)``: the chain rule for ``u = ||w|| w`` (Lemma D.1)."""
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
                _add_into(diag, hessian_block(F, coef[5:], pts[i].unit, [F.zero()] * d, d))
                continue
            e = unit_orthogonal(F, pts[i].unit, pts[b].unit, cos[i][b])
            _add_into(diag, hessian_block(F, coef[:5], pts[i].unit, e, d), pts[b].sign)
            other = pts[b].student
            if other is not None and other > j:
                Hu[j, other] = hessian_block(F, coef[5:], pts[i].unit, e, d)
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


def angular_factor(coefficients, angle):
    """``c_1 + c_theta theta + c_sin sin + c_cos cos`` for the ``(c_1, c_theta, c_sin, c_cos)``
    of a ``*_gradient_angular`` pair kernel (:mod:`numeric.pair_kernels`) at ``angle = (theta,
    sin, cos)`` (or only ``(theta, sin)``), on numbers or arrays of any type; ``None`` coefficients skipped.

    >>> angular_factor((1, None, 2, None), (0.5, 0.25))
    1.5
    """
    out = 0.0
    for c, x in zip(coefficients, (None,) + tuple(angle)):
        if c is not None:
            out = out + (c if x is None else c * x)
    return out
