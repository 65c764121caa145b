"""Closed-form stationary points for ``r`` orthogonal unit teachers, derived with SymPy.

Ansatz: students ``u_j = s c_j`` (effective vectors ``u = ||w|| w``) on fixed exact unit
directions ``c_j`` with one common size ``s > 0``.  The kernel is 1-homogeneous in each
argument, so along the ansatz the loss is a quadratic in ``s``::

    L(s) = alpha s^2 - beta s + gamma,
    alpha = 1/2 sum_{j,l} k(c_j, c_l),  beta = sum_{j,i} k(c_j, e_i),  gamma = L(0),

minimised at ``s* = beta / (2 alpha)`` with ``L* = gamma - beta^2 / (4 alpha)``.  At each
listed ansatz the teachers' symmetries that fix the set ``{+-c_j}`` leave the gradient in
the ansatz's own directions (the gradient is equivariant), so ``s*`` is a stationary
point of the full loss; the tests certify this independently with balls
(:mod:`numeric.stationary`), they do not assume it.

>>> p = {q.name: q for q in orthogonal_teacher_points(2)}
>>> sp.simplify(p["zero"].loss - (1 + 2 / sp.pi))
0
>>> sp.simplify(p["both bisectors"].loss - (sp.pi**2 - 8) / (2 * sp.pi * (sp.pi + 2)))
0
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symbolic.kernel import a, b, kernel_closed_form, theta

__all__ = ["ClosedFormPoint", "orthogonal_teacher_points", "ansatz_loss"]


@dataclass(frozen=True)
class ClosedFormPoint:
    """Directions ``c_j`` (unit, exact), the size ``s*`` and the loss ``L*``, exact."""

    name: str
    directions: tuple  # tuples of sympy numbers
    scale: sp.Expr
    loss: sp.Expr

    def student_rows(self, digits: int = 60) -> list:
        """``w_j = sqrt(s*) c_j`` as decimal strings of ``digits`` significant digits."""
        root = sp.sqrt(self.scale)
        return [[str(sp.N(root * x, digits)) for x in c] for c in self.directions]


def _kernel(u, v) -> sp.Expr:
    """``k(u, v)`` for exact vectors; the angle as ``atan2(|u x v|, u.v)`` (Lagrange)."""
    A, B, P = (sum(x * x for x in u), sum(x * x for x in v), sum(x * y for x, y in zip(u, v)))
    angle = sp.atan2(sp.sqrt(sp.nsimplify(A * B - P * P)), P)
    return sp.simplify(kernel_closed_form("abs").subs({a: sp.sqrt(A), b: sp.sqrt(B), theta: angle}))


def ansatz_loss(directions, teacher) -> tuple:
    """``(alpha, beta, gamma)`` of ``L(s) = alpha s^2 - beta s + gamma``."""
    alpha = sp.Rational(1, 2) * sum(_kernel(c, e) for c in directions for e in directions)
    beta = sum(_kernel(c, t) for c in directions for t in teacher)
    gamma = sp.Rational(1, 2) * sum(_kernel(t, q) for t in teacher for q in teacher)
    return sp.simplify(alpha), sp.simplify(beta), sp.simplify(gamma)


def _unit(v):
    n = sp.sqrt(sum(x * x for x in v))
    return tuple(sp.simplify(x / n) for x in v)


def orthogonal_teacher_points(r: int) -> tuple:
    """Closed-form stationary points for teachers ``e_1..e_r`` in ``R^r``:

    * ``zero``: ``W = 0``, ``L = r/2 + r(r-1)/pi``;
    * ``one on a teacher``: a single student on ``e_1``;
    * ``one on a bisector`` (``r >= 2``): on ``(e_1 + e_2)/sqrt 2``;
    * ``one on the diagonal`` (``r >= 3``): on ``(e_1 + ... + e_r)/sqrt r``;
    * ``both bisectors`` (``r = 2``): on ``(e_1 + e_2)/sqrt 2`` and ``(e_1 - e_2)/sqrt 2``;
    * ``one per teacher``: the global minimum, ``s* = 1``, ``L* = 0`` (a check of the algebra).
    """
    e = [tuple(sp.Integer(int(i == k)) for k in range(r)) for i in range(r)]
    ansatz = [("one on a teacher", [e[0]])]
    if r >= 2:
        ansatz.append(("one on a bisector", [_unit([x + y for x, y in zip(e[0], e[1])])]))
    if r >= 3:
        ansatz.append(("one on the diagonal", [_unit([sp.Integer(1)] * r)]))
    if r == 2:
        ansatz.append(("both bisectors", [_unit([1, 1]), _unit([1, -1])]))
    ansatz.append(("one per teacher", e))
    _, _, gamma = ansatz_loss([], e)
    out = [ClosedFormPoint("zero", (), sp.Integer(0), sp.simplify(gamma))]
    for name, dirs in ansatz:
        alpha, beta, gamma = ansatz_loss(dirs, e)
        s = sp.simplify(beta / (2 * alpha))
        out.append(ClosedFormPoint(name, tuple(tuple(c) for c in dirs), s,
                                   sp.simplify(gamma - beta ** 2 / (4 * alpha))))
    return tuple(out)
