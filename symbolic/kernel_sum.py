"""The loss of eq. (1), p.4, for given widths, as a sum of unevaluated pair kernels.

With the effective vectors ``u_j = |w_j| w_j`` (so ``|w_j| |w_j.x| = |u_j.x|``) the loss is
a sum of pair kernels (paper-notes Sec. 1.1)::

    L(W) = 1/2 [ sum_{j,l} k(u_j, u_l) - 2 sum_{j,i} k(u_j, w*_i) + sum_{i,l} k(w*_i, w*_l) ].

This is the piece shared by :mod:`symbolic.loss` (the derivations) and
:mod:`symbolic.identities` (the identities checked on instances).

>>> loss_expression(1, 2)
k(u[1], u[1])/2 + k(u[1], u[2]) - k(u[1], w^*[1]) + k(u[2], u[2])/2 - k(u[2], w^*[1]) + k(w^*[1], w^*[1])/2
"""
from __future__ import annotations

import sympy as sp

__all__ = ["k", "u", "w_star", "loss_expression"]

#: Effective student vectors ``u_j = |w_j| w_j`` and teacher vectors ``w*_i`` (1-based).
u = sp.IndexedBase("u")
w_star = sp.IndexedBase("w^*")


class k(sp.Function):
    """The pair kernel ``k(u, v) = E[|u.x| |v.x|]``, unevaluated and symmetric.

    >>> k(u[2], u[1])
    k(u[1], u[2])
    """

    nargs = 2

    @classmethod
    def eval(cls, x, y):
        if sp.default_sort_key(x) > sp.default_sort_key(y):
            return cls(y, x)
        return None


def loss_expression(r: int, m: int) -> sp.Expr:
    """The closed-form loss for ``r`` teachers and ``m`` students, in kernel applications.

    >>> loss_expression(1, 1)
    k(u[1], u[1])/2 - k(u[1], w^*[1]) + k(w^*[1], w^*[1])/2
    """
    if r < 1 or m < 1:
        raise ValueError(f"need r >= 1 teachers and m >= 1 students, got r = {r}, m = {m}")
    students = [u[j] for j in range(1, m + 1)]
    teachers = [w_star[i] for i in range(1, r + 1)]
    return sp.Rational(1, 2) * (
        sp.Add(*(k(x, y) for x in students for y in students))
        - 2 * sp.Add(*(k(x, y) for x in students for y in teachers))
        + sp.Add(*(k(x, y) for x in teachers for y in teachers))
    ).expand()
