"""Zeros of a gradient, of every index: Levenberg-Marquardt on ``||F||^2`` with
``F = M(x) grad L(x)``, where ``M`` is an optional deflation factor.

Descent on ``L`` goes to minima; a saddle of index 2 or more repels it.  Minimising
``||grad L||^2`` instead treats every zero of the gradient alike: the Gauss-Newton model
of ``F`` at ``x`` is ``F + J dx`` with ``J = M H + grad L (grad M)^T`` (``H`` the Hessian of
``L``), and the Levenberg-Marquardt step solves ``(J^T J + mu I) dx = -J^T F`` with ``mu``
raised after a rejected step and lowered after an accepted one (Nocedal and Wright,
*Numerical Optimization*, 2nd ed., Sec. 10.3).

Deflation (Farrell, Birkisson and Funke, SIAM J. Sci. Comput. 37 (2015) A2026): with
``M(x) = prod_i (||x - x_i||^-p + sigma)`` over the zeros ``x_i`` found so far, ``F`` has
the same zeros as the gradient except the ``x_i`` themselves, near which ``F`` stays away
from 0; later runs are pushed to new zeros.  The caller gives ``M`` and its gradient
(:class:`Deflation`), so that it can measure distance modulo the model's symmetries.

Models have the protocol of :mod:`numeric.stationary` (``n``, ``loss_gradient64``,
``hessian64``, ``snap``).  Above ``dense_limit`` parameters the Hessian is never formed:
``J v`` comes from central differences of the gradient and the step from conjugate
gradients on the normal equations (memory linear in ``n``).  Everything here is float64,
a guide for the high-precision Newton and the Krawczyk certificate: nothing is decided
from it.

>>> import numpy as np
>>> from numeric.stationary import TeacherStudentModel
>>> model = TeacherStudentModel.from_rows([[1, 0], [0, 1]], m=2)
>>> found = levenberg_marquardt(model, np.array([0.6, 0.65, -0.5, 0.7]))
>>> found.converged and found.gradient_norm < 1e-10
True
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np

__all__ = ["Deflation", "NoDeflation", "PointDeflation", "ZeroSearch", "levenberg_marquardt", "DENSE_LIMIT"]

#: Above this many parameters the step is computed without forming the Hessian.
DENSE_LIMIT = 600


class Deflation(Protocol):
    """``factor(x) -> (M, grad M)``: the deflation factor at ``x`` and its gradient."""

    def factor(self, x: np.ndarray) -> tuple[float, np.ndarray]: ...


class NoDeflation:
    """``M = 1``."""

    def factor(self, x):
        return 1.0, np.zeros_like(x)


class PointDeflation:
    """``M(x) = prod_i (||x - x_i||^-p + sigma)`` over the points added (no symmetry)."""

    def __init__(self, power: float = 2.0, shift: float = 1.0):
        self.points: list = []
        self.power, self.shift = power, shift

    def add(self, x) -> None:
        self.points.append(np.asarray(x, dtype=float).copy())

    def factor(self, x):
        M, log_gradient = 1.0, np.zeros_like(x)
        half = self.power / 2
        for p in self.points:
            D = max(float((x - p) @ (x - p)), 1e-300)
            a = D ** -half
            M *= a + self.shift
            log_gradient += -half * a / D * 2 * (x - p) / (a + self.shift)
        return M, M * log_gradient


@dataclass(frozen=True)
class ZeroSearch:
    """The end of a run: point, loss, ``||grad L||`` there, iterations, converged
    (``||grad L|| < tol``), and ``stopped`` (``"converged"``, ``"stalled"``,
    ``"iterations"``, ``"deadline"``, ``"not finite"``)."""

    x: np.ndarray
    loss: float
    gradient_norm: float
    iterations: int
    converged: bool
    stopped: str


def _hessian_vector(model, x, g, v):
    """``H v`` by a central difference of the gradient (error ``O(h^2)``: a guide only)."""
    nv = float(np.linalg.norm(v))
    if nv == 0:
        return np.zeros_like(v)
    h = 1e-6 * max(1.0, float(np.linalg.norm(x))) / nv
    gp = model.loss_gradient64(model.snap(x + h * v))[1]
    gm = model.loss_gradient64(model.snap(x - h * v))[1]
    return (gp - gm) / (2 * h)


def _step_matrix_free(model, x, g, M, gM, F, mu, iterations: int = 60):
    """CGLS on ``(J^T J + mu I) dx = -J^T F`` with ``J v = M H v + g (gM . v)``."""
    def J(v):
        return M * _hessian_vector(model, x, g, v) + g * float(gM @ v)

    def JT(w):  # H symmetric
        return M * _hessian_vector(model, x, g, w) + gM * float(g @ w)

    b = -JT(F)
    dx = np.zeros_like(x)
    r = b.copy()
    p = r.copy()
    rr = float(r @ r)
    if rr == 0:
        return dx
    for _ in range(iterations):
        Ap = JT(J(p)) + mu * p
        alpha = rr / float(p @ Ap)
        dx += alpha * p
        r -= alpha * Ap
        rr_new = float(r @ r)
        if rr_new < 1e-20 * float(b @ b):
            break
        p = r + (rr_new / rr) * p
        rr = rr_new
    return dx


def levenberg_marquardt(model, x0, *, deflation: Deflation | None = None, tol: float = 1e-11,
                        max_iterations: int = 200, patience: int = 25, deadline: float | None = None,
                        dense_limit: int = DENSE_LIMIT,
                        on_iteration: Callable[[], None] | None = None) -> ZeroSearch:
    """Levenberg-Marquardt on ``||M grad L||^2`` from ``x0`` until ``||grad L|| < tol``
    (the undeflated gradient: the test is on the real system).  Stops at
    ``max_iterations``, when ``mu`` exceeds ``1e12`` times its scale or ``||F||`` has not
    halved in ``patience`` iterations (a local minimum of ``||F||`` that is not a zero,
    or a slow approach to a degenerate one: ``"stalled"``), or after ``deadline``
    (:func:`time.monotonic`).  ``on_iteration`` is called once per iteration (e.g. to
    honour a termination request)."""
    deflation = deflation or NoDeflation()
    x = model.snap(np.asarray(x0, dtype=float).copy())
    L, g = model.loss_gradient64(x)
    dense = model.n <= dense_limit
    mu = None
    it = 0
    stopped = "iterations"
    best, best_at = float("inf"), 0
    for it in range(max_iterations):
        if on_iteration is not None:
            on_iteration()
        gn = float(np.linalg.norm(g))
        if not np.isfinite(gn):
            stopped = "not finite"
            break
        if gn < tol:
            stopped = "converged"
            break
        if deadline is not None and time.monotonic() > deadline:
            stopped = "deadline"
            break
        M, gM = deflation.factor(x)
        F = M * g
        Fn = float(np.linalg.norm(F))
        if Fn < best / 2:
            best, best_at = Fn, it
        elif it - best_at > patience:
            stopped = "stalled"
            break
        if dense:
            J = M * model.hessian64(x) + np.outer(g, gM)
            JTJ, JTF = J.T @ J, J.T @ F
            scale = max(float(np.max(np.diag(JTJ))), 1e-300)
        else:
            v = F / max(Fn, 1e-300)  # the curvature of ||F||^2 along F sets mu's scale
            Jv = M * _hessian_vector(model, x, g, v) + g * float(gM @ v)
            scale = max(float(Jv @ Jv), 1e-300)
        if mu is None:
            mu = 1e-6 * scale
        while True:
            if dense:
                try:
                    dx = np.linalg.solve(JTJ + mu * np.eye(len(x)), -JTF)
                except np.linalg.LinAlgError:
                    dx = np.linalg.lstsq(JTJ + mu * np.eye(len(x)), -JTF, rcond=None)[0]
            else:
                dx = _step_matrix_free(model, x, g, M, gM, F, mu)
            y = model.snap(x + dx)
            Ly, gy = model.loss_gradient64(y)
            My = deflation.factor(y)[0]
            if np.isfinite(Ly) and float(np.linalg.norm(My * gy)) < Fn:
                x, L, g = y, Ly, gy
                mu = max(mu / 3, 1e-15 * scale)
                break
            mu *= 4
            if mu > 1e12 * scale:
                stopped = "stalled"
                break
        if stopped == "stalled":
            break
    gn = float(np.linalg.norm(g))
    converged = bool(gn < tol)
    return ZeroSearch(x, float(L), gn, it + 1, converged, "converged" if converged else stopped)
