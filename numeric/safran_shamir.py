"""Safran and Shamir's network (ICML 2018): loss, gradient and Hessian in float64 and on balls.

Student ``sum_{i<=k} relu(w_i . x)`` with unit output weights, teacher
``sum_{j<=n} relu(v_j . x)`` with orthonormal ``v_j`` (the default teacher is ``I_n``),
``x ~ N(0, I_d)``, and the population loss **with the factor 1/2**

    L(W) = 1/2 E[(sum_i relu(w_i.x) - sum_j relu(v_j.x))^2]
         = 1/2 [sum_{i,i'} k(w_i, w_i') - 2 sum_{i,j} k(w_i, v_j) + sum_{j,j'} k(v_j, v_j')]

with the ReLU pair kernel ``k(u, v) = |u||v|(sin t + (pi - t) cos t)/(2 pi)`` derived in
:mod:`symbolic.gaussian_integral`; its gradient and Hessian coefficients are the generated
code of :mod:`symbolic.pair` (``numeric.pair_kernels``), shared with the other models.
Safran and Shamir's objective is ``E[(...)^2]``: twice this loss.

``k(w, w) = |w|^2 / 2``, so ``grad_{w_i} L = w_i / 2 + sum_{i' != i} grad_u k(w_i, w_i')
- sum_j grad_u k(w_i, v_j)``; the Hessian's diagonal block adds ``I / 2``.

:class:`SafranShamirModel` has the protocol of :mod:`numeric.stationary` (``n``,
``loss_gradient64``, ``hessian64``, ``ball_loss``, ``ball_gradient_hessian``, ``snap``): the
descent, Newton refinement and Krawczyk certificate there work on it unchanged.

>>> model = SafranShamirModel.orthonormal(n=2, k=2)
>>> L, g = model.loss_gradient64(np.eye(2).reshape(-1))
>>> abs(L) < 1e-15, float(np.abs(g).max()) < 1e-15
(True, True)
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from fractions import Fraction

import numpy as np
from flint import arb

from numeric import pair_kernels
from numeric.numbers import to_fraction
from numeric.fields import ARB, ARB_BOX
from numeric.pairwise import hessian_block, pair_angle_sin_cos, unit_orthogonal

__all__ = ["SafranShamirModel", "escape_coefficient"]


def _pairs64(U, Z):
    """Float64 pair quantities of rows ``U`` (k x d) against rows ``Z`` (p x d):
    norms, unit rows, ``theta``, ``sin``, ``cos`` (Kahan's half-angle form for the angle)."""
    a = np.linalg.norm(U, axis=1)
    b = np.linalg.norm(Z, axis=1)
    Uh, Zh = U / a[:, None], Z / b[:, None]
    diff = np.linalg.norm(Uh[:, None, :] - Zh[None, :, :], axis=2)
    plus = np.linalg.norm(Uh[:, None, :] + Zh[None, :, :], axis=2)
    theta = 2 * np.arctan2(diff, plus)
    return a, b, Uh, Zh, theta, np.sin(theta), np.cos(theta)


@dataclass(frozen=True)
class SafranShamirModel:
    """``k`` students against the exact teacher rows ``teacher`` (``n x d``); parameters
    ``x = (w_1, ..., w_k)`` flattened."""

    teacher: tuple
    k: int

    @classmethod
    def orthonormal(cls, n: int, k: int) -> "SafranShamirModel":
        """Safran and Shamir's setting: teacher ``v_j = e_j`` in ``R^n``."""
        return cls(tuple(tuple(Fraction(int(i == j)) for j in range(n)) for i in range(n)), k)

    def __post_init__(self):
        rows = tuple(tuple(to_fraction(x, f"teacher[{i}][{j}]") for j, x in enumerate(row))
                     for i, row in enumerate(self.teacher))
        if not rows or any(len(r) != len(rows[0]) for r in rows) or not rows[0]:
            raise ValueError("teacher must be a non-empty list of rows of one length d >= 1")
        if any(not any(r) for r in rows):
            raise ValueError("teacher rows must be non-zero")
        if self.k < 1:
            raise ValueError(f"k = {self.k} students: need k >= 1")
        object.__setattr__(self, "teacher", rows)

    @property
    def d(self) -> int:
        return len(self.teacher[0])

    @property
    def n(self) -> int:
        """Number of parameters (the protocol's ``n``; the teacher has ``len(teacher)`` rows)."""
        return self.k * self.d

    @cached_property
    def teacher64(self) -> np.ndarray:
        return np.array([[float(x) for x in row] for row in self.teacher])

    @cached_property
    def _teacher_self64(self) -> float:
        """``sum_{j,j'} k(v_j, v_j')`` in float64 (the constant term of the loss)."""
        tv = _pairs64(self.teacher64, self.teacher64)
        return float(pair_kernels.relu_value_gradient_sc(
            tv[0][:, None], tv[1][None, :], *tv[4:], np.pi, None)[0].sum())

    def rows(self, x) -> np.ndarray:
        return np.asarray(x, dtype=float).reshape(self.k, self.d)

    def snap(self, x):
        return np.asarray(x, dtype=float)

    # -- float64 ---------------------------------------------------------------------------

    def _terms64(self, W):
        V = self.teacher64
        ww = _pairs64(W, W)
        wv = _pairs64(W, V)
        return ww, wv

    def loss_gradient64(self, x):
        W = self.rows(x)
        (a, b, Uh, Zh, t, s, c), wv = self._terms64(W)
        off = ~np.eye(self.k, dtype=bool)
        kww, gu, gv = pair_kernels.relu_value_gradient_sc(a[:, None], b[None, :], t, s, c, np.pi, None)
        a2, b2, _, Vh, t2, s2, c2 = wv
        kwv, hu, hv = pair_kernels.relu_value_gradient_sc(a2[:, None], b2[None, :], t2, s2, c2, np.pi, None)
        L = 0.5 * (np.where(off, kww, 0).sum() + 0.5 * (a ** 2).sum() - 2 * kwv.sum()
                   + self._teacher_self64)
        G = 0.5 * W
        G += np.einsum("ij,i,id->id", np.where(off, gu, 0), np.ones(self.k), Uh)
        G += np.einsum("ij,jd->id", np.where(off, gv, 0), Zh)
        G -= hu.sum(axis=1)[:, None] * Uh + hv @ Vh
        return float(L), G.reshape(-1)

    def hessian64(self, x):
        W = self.rows(x)
        k, d = self.k, self.d
        Z = np.vstack([W, self.teacher64])
        sign = np.concatenate([np.ones(k), -np.ones(len(self.teacher))])
        a, b, Uh, Zh, t, s, c = _pairs64(W, Z)
        perp = Zh[None, :, :] - c[:, :, None] * Uh[:, None, :]
        length = np.linalg.norm(perp, axis=2, keepdims=True)
        E = np.divide(perp, length, out=np.zeros_like(perp), where=length > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            coef = pair_kernels.relu_hessian_sc(a[:, None], b[None, :], t, s, c, np.pi, None)
        U = np.broadcast_to(Uh[:, None, :], E.shape)
        eye = np.eye(d)

        def blocks(c0, c1, c2, c3, c4):
            out = np.asarray(c0)[..., None, None] * eye
            for cf, p_, q_ in ((c1, U, U), (c2, U, E), (c3, E, U), (c4, E, E)):
                out = out + np.asarray(cf)[..., None, None] * np.einsum("ijr,ijq->ijrq", p_, q_)
            return out

        mask = sign[None, :] * (1 - np.eye(k, len(Z)))  # drop the self pair (i, i)
        uu = blocks(*coef[:5])
        uv = blocks(*coef[5:])[:, :k]
        H = np.einsum("ij,ijrq->irjq", (1 - np.eye(k)), uv)
        diag = 0.5 * eye + np.einsum("ij,ijrq->irq", np.nan_to_num(mask), np.nan_to_num(uu))
        H[np.arange(k), :, np.arange(k), :] = diag
        return H.reshape(k * d, k * d)

    # -- balls -------------------------------------------------------------------------------

    def _ball_rows(self, x):
        x = [v if isinstance(v, arb) else ARB.number(to_fraction(v, "x")) for v in x]
        return [x[i * self.d:(i + 1) * self.d] for i in range(self.k)]

    def _teacher_balls(self):
        return [[ARB.number(v) for v in row] for row in self.teacher]

    @staticmethod
    def _pair_ball(u, v):
        """(a, b, u_hat, v_hat, theta, sin, cos) of a pair of ball rows."""
        a, b = ARB_BOX.norm(u), ARB_BOX.norm(v)
        uh, vh = [t / a for t in u], [t / b for t in v]
        cos = sum((p * q for p, q in zip(uh, vh)), arb(0))
        theta, s, c = pair_angle_sin_cos(ARB_BOX, uh, vh, cos)
        return a, b, uh, vh, theta, s, c

    def ball_loss(self, x):
        W, V = self._ball_rows(x), self._teacher_balls()
        pi = arb.pi()
        kernel = lambda u, v: pair_kernels.relu_value_gradient_sc(  # noqa: E731
            *self._pair_ball(u, v)[:2], *self._pair_ball(u, v)[4:], pi, ARB_BOX)[0]
        total = arb(0)
        for group, sign in ((W, 1), (V, 1)):
            for i, u in enumerate(group):
                total += sign * sum((t * t for t in u), arb(0)) / 2
                for j in range(i + 1, len(group)):
                    total += 2 * sign * kernel(u, group[j])
        for u in W:
            for v in V:
                total -= 2 * kernel(u, v)
        return total / 2

    def ball_gradient_hessian(self, x, *, hessian: bool = True):
        """Gradient and Hessian enclosures for ``x`` a list of balls: valid at every point of
        the box (every operation is a ball operation; an aligned pair's orthogonal
        direction is ``[-1, 1]`` entries, multiplied by coefficients that vanish there).
        ``hessian=False`` skips the Hessian (returns ``None`` for it)."""
        W, V = self._ball_rows(x), self._teacher_balls()
        k, d = self.k, self.d
        pi = arb.pi()
        G = [[t / 2 for t in w] for w in W]
        H = [[arb(0)] * (k * d) for _ in range(k * d)] if hessian else None
        for i in range(k):
            if hessian:
                for r in range(d):
                    H[i * d + r][i * d + r] += arb(1) / 2
            for other, sign in ((W, 1), (V, -1)):
                for j, z in enumerate(other):
                    if sign > 0 and j == i:
                        continue
                    a, b, uh, vh, t, s, c = self._pair_ball(W[i], z)
                    _, gu, gv = pair_kernels.relu_value_gradient_sc(a, b, t, s, c, pi, ARB_BOX)
                    for r in range(d):
                        G[i][r] += sign * (gu * uh[r] + gv * vh[r])
                    if not hessian:
                        continue
                    e = unit_orthogonal(ARB_BOX, uh, vh, c)
                    coef = pair_kernels.relu_hessian_sc(a, b, t, s, c, pi, ARB_BOX)
                    uu = hessian_block(ARB_BOX, coef[:5], uh, e, d)
                    for r in range(d):
                        for q in range(d):
                            H[i * d + r][i * d + q] += sign * uu[r][q]
                    if sign > 0:
                        uv = hessian_block(ARB_BOX, coef[5:], uh, e, d)
                        for r in range(d):
                            for q in range(d):
                                H[i * d + r][j * d + q] += uv[r][q]
        return [t for row in G for t in row], H

    def ball_gradient(self, x):
        return self.ball_gradient_hessian(x, hessian=False)[0]


def escape_coefficient(model: SafranShamirModel, x, direction):
    """``g(w) = sum_i k(w_i, w_hat) - sum_j k(v_j, w_hat)`` on balls, for a unit ``w_hat``.

    Adding a neuron ``t w_hat`` (``t >= 0``) to the student changes the loss by
    ``t g(w) + t^2 / 4`` exactly (the kernel is 1-homogeneous and ``k(w, w) = |w|^2/2``),
    so ``g(w) < 0`` proves that the point, lifted to ``k + 1`` students with a zero neuron,
    is not a local minimum: the loss decreases linearly along that neuron.
    """
    W, V = model._ball_rows(x), model._teacher_balls()
    w = [ARB.number(to_fraction(t, "direction")) for t in direction]
    norm = ARB_BOX.norm(w)
    w = [t / norm for t in w]
    pi = arb.pi()
    kernel = lambda u, v: pair_kernels.relu_value_gradient_sc(  # noqa: E731
        *model._pair_ball(u, v)[:2], *model._pair_ball(u, v)[4:], pi, ARB_BOX)[0]
    return sum((kernel(u, w) for u in W), arb(0)) - sum((kernel(v, w) for v in V), arb(0))


def escape_direction64(model: SafranShamirModel, x, rng: np.random.Generator,
                       starts: int = 24, steps: int = 300) -> tuple[np.ndarray, float]:
    """A unit ``w_hat`` minimising ``g(w_hat)`` (see :func:`escape_coefficient`) in float64:
    projected gradient descent on the sphere from random starts.  A guide only; the sign of
    ``g`` is decided on balls."""
    W, V = model.rows(x), model.teacher64
    Z = np.vstack([W, V])
    sign = np.concatenate([np.ones(len(W)), -np.ones(len(V))])
    best, best_g = None, np.inf
    for _ in range(starts):
        w = rng.standard_normal(model.d)
        w /= np.linalg.norm(w)
        step = 0.5
        for _ in range(steps):
            a, b, uh, zh, t, s, c = _pairs64(w[None, :], Z)
            k, gu, gv = pair_kernels.relu_value_gradient_sc(a[:, None], b[None, :], t, s, c, np.pi, None)
            g = float((sign * k[0]).sum())
            grad = (sign * gu[0]).sum() * uh[0] + (sign * gv[0]) @ zh
            grad -= (grad @ w) * w  # tangent to the sphere
            w = w - step * grad
            w /= np.linalg.norm(w)
        if g < best_g:
            best, best_g = w, g
    return best, best_g
