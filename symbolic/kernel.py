"""Closed forms of the pair kernel ``k(u, v) = E[sigma(u.x) sigma(v.x)]``, x ~ N(0, I_d).

The kernel depends on ``u, v`` only through ``a = |u|``, ``b = |v|`` and the angle
``theta`` in ``[0, pi]``.  The Gaussian integral that produces these forms is carried out
step by step in :mod:`symbolic.gaussian_integral`; this module states the results and
their rewriting in the scalar invariants ``A = u.u``, ``B = v.v``, ``P = u.v``.

The angle is written ``atan2(S, P)`` with ``S = sqrt(A B - P**2) = |u| |v| sin(theta)``
(Lagrange's identity), never ``acos(P / sqrt(A B))``: the arccos form has an infinite
derivative at aligned neurons and is ill-conditioned there.

>>> from symbolic.kernel import kernel_closed_form, a, b, theta
>>> kernel_closed_form("abs").subs(theta, 0)
a*b
>>> kernel_closed_form("relu").subs(theta, 0)
a*b/2
"""
from __future__ import annotations

import sympy as sp

__all__ = [
    "ACTIVATIONS",
    "a",
    "b",
    "theta",
    "A",
    "B",
    "P",
    "kernel_closed_form",
    "kernel_in_invariants",
]

ACTIVATIONS = ("abs", "relu")

a, b = sp.symbols("a b", positive=True)
theta = sp.Symbol("theta", real=True)
A, B = sp.symbols("A B", positive=True)
P = sp.Symbol("P", real=True)


def _check_activation(activation: str) -> None:
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"activation = {activation!r} is not supported; use one of {ACTIVATIONS}"
        )


def kernel_closed_form(activation: str = "abs") -> sp.Expr:
    """``E[sigma(u.x) sigma(v.x)]`` as a function of ``a = |u|, b = |v|, theta``.

    abs:  (2/pi) a b (sin t + (pi/2 - t) cos t)
    relu: (1/(2 pi)) a b (sin t + (pi - t) cos t)     (Cho & Saul's arc-cosine kernel)
    """
    _check_activation(activation)
    if activation == "abs":
        return 2 / sp.pi * a * b * (sp.sin(theta) + (sp.pi / 2 - theta) * sp.cos(theta))
    return a * b / (2 * sp.pi) * (sp.sin(theta) + (sp.pi - theta) * sp.cos(theta))


def kernel_in_invariants(activation: str = "abs", A=A, B=B, P=P) -> sp.Expr:
    """The closed form rewritten in ``A = |u|^2, B = |v|^2, P = u.v``.

    ``a b sin(theta) = S = sqrt(A B - P^2)``, ``a b cos(theta) = P``, ``theta = atan2(S, P)``.
    """
    _check_activation(activation)
    S = sp.sqrt(A * B - P**2)
    angle = sp.atan2(S, P)
    if activation == "abs":
        return 2 / sp.pi * (S + (sp.pi / 2 - angle) * P)
    return (S + (sp.pi - angle) * P) / (2 * sp.pi)
