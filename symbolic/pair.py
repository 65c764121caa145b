"""Gradient and Hessian of one pair kernel, derived once in three coordinates.

The loss is a sum of pair kernels ``k(u, v)`` (see :mod:`symbolic.loss`), so every
derivative of the loss is assembled from the derivatives of one pair.  We derive those in
coordinates ``u, v in R^3`` -- SymPy applies the chain rule through the invariants
``A = u.u, B = v.v, P = u.v`` -- and then read the result off in the frame

    u = a (1, 0, 0),   v = b (cos t, sin t, 0),

with ``u_hat = e_1``, ``e_hat = e_2`` (the unit vector of ``v`` orthogonal to ``u``) and
``e_3`` standing for every direction orthogonal to both.  Three coordinates suffice for any
dimension ``d``: the derivatives are equivariant under rotations, so each is a combination
of ``I``, ``u_hat u_hat^T``, ``u_hat e_hat^T``, ``e_hat u_hat^T``, ``e_hat e_hat^T``.
Derivation time is therefore independent of the width ``m`` and the dimension ``d``.

Singular limits.  ``d/dP acos(P/sqrt(AB))`` is infinite at aligned or antipodal pairs
(``t = 0`` or ``pi``), yet the loss is ``C^2`` there (the angular part of the kernel is
``pi/2 - (pi/4) t^2 + t^3/3 + ...``).  After simplification in the frame no coefficient
below has ``sin t`` in a denominator, so they evaluate to their limits directly; the terms
that carry ``e_hat`` vanish at ``t = 0, pi``, which is why ``e_hat`` may be taken as 0 there.

>>> from symbolic.pair import pair_derivatives
>>> d = pair_derivatives("abs")
>>> d.gradient_u_hat, d.gradient_v_hat
(2*b*sin(theta)/pi, b*(pi - 2*theta)/pi)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import sympy as sp

from symbolic.kernel import a, b, kernel_closed_form, kernel_in_invariants, theta

__all__ = ["PairDerivatives", "pair_derivatives", "HESSIAN_BASIS"]

#: Order of the coefficients of a Hessian block:
#: ``H = c0 I + c1 u u^T + c2 u e^T + c3 e u^T + c4 e e^T`` (unit u_hat, e_hat).
HESSIAN_BASIS = ("I", "uu", "ue", "eu", "ee")


@dataclass(frozen=True)
class PairDerivatives:
    """Derivatives of ``k(u, v)`` in the scalar invariants ``a = |u|``, ``b = |v|``, ``theta``.

    * ``kernel``: ``k``.
    * ``gradient_u_hat``, ``gradient_v_hat``: ``grad_u k = g_u u_hat + g_v v_hat``.
    * ``hessian_uu``: coefficients of ``d^2 k / du du^T`` in :data:`HESSIAN_BASIS`.
    * ``hessian_uv``: coefficients of ``d^2 k / du dv^T`` in :data:`HESSIAN_BASIS`.
    * ``steps``: (description, expression) pairs recording the derivation, for the report.
    """

    activation: str
    kernel: sp.Expr
    gradient_u_hat: sp.Expr
    gradient_v_hat: sp.Expr
    hessian_uu: tuple
    hessian_uv: tuple
    steps: tuple = field(repr=False, default=())

    def expressions(self) -> dict:
        """All coefficient expressions by name, in a fixed order (used by code generation)."""
        out = {
            "kernel": self.kernel,
            "grad_u": self.gradient_u_hat,
            "grad_v": self.gradient_v_hat,
        }
        for name, c in zip(HESSIAN_BASIS, self.hessian_uu):
            out[f"huu_{name}"] = c
        for name, c in zip(HESSIAN_BASIS, self.hessian_uv):
            out[f"huv_{name}"] = c
        return out


def _coordinates():
    u = sp.Matrix(sp.symbols("u1:4", real=True))
    v = sp.Matrix(sp.symbols("v1:4", real=True))
    return u, v


def _in_frame(expr, u, v):
    """Evaluate a coordinate expression at ``u = a e1, v = b (c e1 + s e2)``.

    ``s = sin t`` is a positive symbol, so ``sqrt(A B - P^2) = a b s`` exactly (``t`` in
    ``(0, pi)``; the endpoints are reached as limits of the simplified forms).  The result
    is reduced modulo ``c^2 + s^2 = 1``, which is where the ``1/s`` factors cancel.
    """
    c = sp.Symbol("c", real=True)
    s = sp.Symbol("s", positive=True)
    frame = {u[0]: a, u[1]: 0, u[2]: 0, v[0]: b * c, v[1]: b * s, v[2]: 0}
    e = expr.subs(frame).replace(sp.atan2, lambda y, x: theta)  # the only atan2 is the angle
    e = sp.cancel(sp.together(e))
    if e.has(c):
        e = sp.ratsimpmodprime(e, [c**2 + s**2 - 1], c, s)
    return sp.factor(e).subs({c: sp.cos(theta), s: sp.sin(theta)})


def _block_coefficients(H: sp.Matrix) -> tuple:
    """Read ``c0 I + c1 uu + c2 ue + c3 eu + c4 ee`` off a 3x3 frame matrix."""
    for i, j in ((0, 2), (2, 0), (1, 2), (2, 1)):
        if H[i, j] != 0:
            raise ArithmeticError(f"frame block has a stray entry ({i},{j}) = {H[i, j]}")
    c0 = H[2, 2]
    return tuple(
        sp.factor(sp.expand(x)) for x in (c0, H[0, 0] - c0, H[0, 1], H[1, 0], H[1, 1] - c0)
    )


@lru_cache(maxsize=None)
def pair_derivatives(activation: str = "abs") -> PairDerivatives:
    """Derive the pair kernel's gradient and Hessian blocks for ``activation``.

    The derivation is done once per activation and cached.
    """
    u, v = _coordinates()
    k = kernel_in_invariants(activation, u.dot(u), v.dot(v), u.dot(v))
    steps = [
        ("kernel in the invariants A = u.u, B = v.v, P = u.v", kernel_in_invariants(activation)),
    ]

    grad = [_in_frame(sp.diff(k, ui), u, v) for ui in u]
    # grad_u k = g0 u_hat + g1 e_hat with e_hat = (v_hat - cos t u_hat) / sin t.
    g_v = sp.factor(grad[1] / sp.sin(theta))
    g_u = sp.factor(sp.expand(grad[0] - g_v * sp.cos(theta)))
    if grad[2] != 0:
        raise ArithmeticError(f"gradient has a component out of the pair's plane: {grad[2]}")
    steps.append(("gradient: grad_u k = g_u u_hat + g_v v_hat; (g_u, g_v) =", sp.Tuple(g_u, g_v)))

    Huu = sp.Matrix(3, 3, lambda i, j: _in_frame(sp.diff(k, u[i], u[j]), u, v))
    Huv = sp.Matrix(3, 3, lambda i, j: _in_frame(sp.diff(k, u[i], v[j]), u, v))
    huu = _block_coefficients(Huu)
    huv = _block_coefficients(Huv)
    steps.append(("Hessian block d2k/du du^T in the frame (u_hat, e_hat, e_3)", Huu))
    steps.append(("Hessian block d2k/du dv^T in the frame (u_hat, e_hat, e_3)", Huv))

    kernel = kernel_closed_form(activation)
    return PairDerivatives(
        activation=activation,
        kernel=kernel,
        gradient_u_hat=g_u,
        gradient_v_hat=g_v,
        hessian_uu=huu,
        hessian_uv=huv,
        steps=tuple(steps),
    )
