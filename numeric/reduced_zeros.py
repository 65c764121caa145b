"""Zeros of a gradient in a few reduced coordinates: Levenberg-Marquardt with deflation.

Descent finds minima; zeros of every index are found by minimising ``||g||^2`` (Gauss-
Newton / Levenberg-Marquardt), and a zero already found is *deflated*: the residual becomes
``F(y) = M(y) g(y)`` with ``M(y) = prod_k (||y - y_k||^-2 + 1)`` (Farrell, Birkisson, Funke
2015), which keeps every zero of ``g`` other than the ``y_k`` and pushes the iteration away
from those.  ``g`` and its Jacobian are float64 (``model.loss_gradient64`` and
``model.hessian64`` of the protocol of :mod:`numeric.stationary`): a guide only; every zero
returned is later certified on balls.

>>> class Quadratic:
...     n = 1
...     def loss_gradient64(self, y): return float(y[0]**4/4 - y[0]**2/2), np.array([y[0]**3 - y[0]])
...     def hessian64(self, y): return np.array([[3 * y[0]**2 - 1]])
>>> sorted(round(float(z[0]), 6) for z in find_zeros(Quadratic(), [np.array([0.9])] * 3))
[-1.0, 0.0, 1.0]
"""
from __future__ import annotations

import numpy as np

__all__ = ["levenberg_marquardt", "find_zeros"]


def _deflation(y, found):
    """``M(y)`` and its gradient."""
    M, dM = 1.0, np.zeros_like(y)
    for z in found:
        diff = y - z
        s = float(diff @ diff)
        factor = 1.0 / s + 1.0
        d_factor = -2.0 * diff / s ** 2
        dM = dM * factor + M * d_factor
        M *= factor
    return M, dM


def levenberg_marquardt(model, y0, *, found=(), tol: float = 1e-11, steps: int = 200):
    """Levenberg-Marquardt on the deflated residual from ``y0``; returns ``(y, ||g(y)||)``
    (the undeflated gradient norm), or ``(None, inf)`` if the iteration breaks down."""
    y = np.asarray(y0, dtype=float).copy()
    mu = 1e-3
    for _ in range(steps):
        try:
            _, g = model.loss_gradient64(y)
        except (ValueError, ZeroDivisionError, FloatingPointError):
            return None, np.inf
        gn = float(np.linalg.norm(g))
        if not np.isfinite(gn):
            return None, np.inf
        if gn < tol:
            return y, gn
        M, dM = _deflation(y, found)
        F = M * g
        J = M * model.hessian64(y) + np.outer(g, dM)
        A, b = J.T @ J, J.T @ F
        cost = float(F @ F)
        while mu < 1e12:
            step = np.linalg.solve(A + mu * np.diag(np.diag(A) + 1e-12), -b)
            y_new = y + step
            try:
                _, g_new = model.loss_gradient64(y_new)
            except (ValueError, ZeroDivisionError, FloatingPointError):
                mu *= 10
                continue
            F_new = _deflation(y_new, found)[0] * g_new
            if np.all(np.isfinite(F_new)) and float(F_new @ F_new) < cost:
                y, mu = y_new, max(mu / 5, 1e-12)
                break
            mu *= 10
        else:
            return y, gn
    _, g = model.loss_gradient64(y)
    return y, float(np.linalg.norm(g))


def find_zeros(model, starts, *, tol: float = 1e-11, distinct: float = 1e-6) -> list:
    """Zeros of the model's gradient from each start, deflating those already found.
    Zeros closer than ``distinct`` (max-norm) to a found one are dropped."""
    found: list = []
    for y0 in starts:
        y, gn = levenberg_marquardt(model, y0, found=found, tol=tol)
        if y is None or not gn < tol:
            continue
        if all(np.max(np.abs(y - z)) > distinct for z in found):
            found.append(y)
    return found
