"""The two-layer ReLU network of the finite-sample papers, in float64 and on balls.

``f(W, a, x) = m^{-1/2} sum_r a_r relu(w_r . x)`` with ``a_r`` in ``{-1, +1}`` fixed (Du,
Zhai, Poczos, Singh, ICLR 2019, Sec. 3); on a data set the outputs are
``F(W) = (f(W, a, x_i))_i`` and ``L(W) = 1/2 |F(W) - y|^2``.  The points are the data set's
directions ``x_i / |x_i|`` (see :mod:`numeric.dataset`).

* ``jacobian``: ``dF_i / dw_r = m^{-1/2} a_r 1{w_r.x_i >= 0} x_i`` (an ``n x (m d)`` matrix);
* ``tangent_kernel``: ``K(W) = DF DF^T = (1/m) (x_i.x_j) sum_r 1{w_r.x_i >= 0}1{w_r.x_j >= 0}``,
  Du et al.'s ``H(W)`` and Liu, Zhu, Belkin's tangent kernel;
* ``gram_limit``: ``H_inf = lim_{m -> oo} K(W(0))`` from the expression derived in
  :mod:`symbolic.gram` (generated into :func:`numeric.pair_kernels.relu_gram_unit`, never
  retyped), in float64 and on balls;
* ``gradient_descent``: GD on ``W`` with the residuals and ``lambda_min(K)`` along the way.

>>> from numeric.dataset import DataSet
>>> data = DataSet.from_dict({"points": [[1, 0], [0, 1]], "labels": [1, 0]})
>>> H = gram_limit(data)
>>> float(H[0, 0]), abs(float(H[0, 1])) < 1e-15
(0.5, True)
"""
from __future__ import annotations

import types
from dataclasses import dataclass

import numpy as np
from flint import arb

from numeric.dataset import DataSet
from numeric.fields import ARB
from numeric.pair_kernels import relu_gram_unit

__all__ = ["Network", "unit_points", "initial_network", "outputs", "jacobian",
           "tangent_kernel", "gram_limit", "gram_limit_balls", "GDTrace", "gradient_descent",
           "jacobian_balls", "unit_points_balls"]


@dataclass(frozen=True)
class Network:
    """First layer ``W`` (``m x d``) and fixed second layer ``a`` (``m``, entries +-1)."""

    W: np.ndarray
    a: np.ndarray

    @property
    def m(self) -> int:
        return self.W.shape[0]


def unit_points(data: DataSet) -> np.ndarray:
    """The data set's directions ``x_i / |x_i|`` in float64, ``n x d``."""
    X = np.array([[float(x) for x in row] for row in data.points])
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def initial_network(rng: np.random.Generator, m: int, d: int) -> Network:
    """Du et al.'s initialisation: ``w_r ~ N(0, I_d)``, ``a_r ~ unif{-1, +1}``."""
    return Network(rng.standard_normal((m, d)), rng.choice((-1.0, 1.0), size=m))


def outputs(net: Network, X: np.ndarray) -> np.ndarray:
    """``F(W) = (f(W, a, x_i))_i``."""
    return np.maximum(X @ net.W.T, 0.0) @ net.a / np.sqrt(net.m)


def jacobian(net: Network, X: np.ndarray) -> np.ndarray:
    """``DF`` as an ``n x (m d)`` matrix (rows: data points; columns: ``w_1, ..., w_m``)."""
    active = (X @ net.W.T >= 0).astype(float) * net.a / np.sqrt(net.m)  # n x m
    return (active[:, :, None] * X[:, None, :]).reshape(X.shape[0], -1)


def tangent_kernel(net: Network, X: np.ndarray) -> np.ndarray:
    """``K(W) = DF DF^T``, formed without the Jacobian (``a_r^2 = 1``)."""
    active = (X @ net.W.T >= 0).astype(float)
    return (X @ X.T) * (active @ active.T) / net.m


#: numpy as the generated code's backend; rounding can push ``A B - P^2`` of (nearly)
#: parallel points below 0, so its square root is clamped at 0.
_NUMPY_CLAMPED = types.SimpleNamespace(sqrt=lambda x: np.sqrt(np.maximum(x, 0.0)), atan2=np.arctan2)


def gram_limit(data: DataSet) -> np.ndarray:
    """``H_inf`` of the data set in float64 (diagonal ``1/2``: the angle of a point with
    itself is 0)."""
    X = np.array([[float(x) for x in row] for row in data.points])
    G = X @ X.T
    norms = np.diag(G)
    A = np.broadcast_to(norms[:, None], G.shape)
    return relu_gram_unit(A, A.T, G, np.pi, _NUMPY_CLAMPED)[0]


def gram_limit_balls(data: DataSet):
    """``H_inf`` as a list of rows of arb balls at the current ``flint.ctx`` precision,
    from the exact points (no rounding before the balls)."""
    rows = [[ARB.number(x) for x in row] for row in data.points]
    n = len(rows)
    dots = [[sum((x * y for x, y in zip(rows[i], rows[j])), arb(0)) for j in range(n)]
            for i in range(n)]
    pi = arb.pi()
    H = [[None] * n for _ in range(n)]
    for i in range(n):
        H[i][i] = arb(1) / 2
        for j in range(i + 1, n):
            A, B, P = dots[i][i], dots[j][j], dots[i][j]
            if not (A * B - P * P) > 0:
                raise ValueError(f"points {i} and {j} are parallel (or too close at this "
                                 f"precision): H_inf's angle is not separated from 0 or pi")
            H[i][j] = H[j][i] = relu_gram_unit(A, B, P, pi, ARB)[0]
    return H


@dataclass(frozen=True)
class GDTrace:
    """Gradient descent on ``W``: ``residual_sq[k] = |F(W(k)) - y|^2`` and
    ``gradient_sq[k] = |grad L(W(k))|^2`` for ``k = 0..steps``, ``kernel_min[k] =
    lambda_min(K(W(k)))`` (float64 estimates), the largest distance ``max_r |w_r(k) - w_r(0)|``
    moved, and the final network."""

    residual_sq: np.ndarray
    kernel_min: np.ndarray
    movement: float
    final: Network
    gradient_sq: np.ndarray


def gradient_descent(net: Network, X: np.ndarray, y: np.ndarray, eta: float, steps: int,
                     *, track_kernel: bool = True) -> GDTrace:
    """``W(k+1) = W(k) - eta grad L(W(k))`` with ``grad_{w_r} L = DF^T (F - y)`` (Du et al.,
    Sec. 4); the second layer stays fixed."""
    W, a, m = net.W.copy(), net.a, net.m
    res = np.empty(steps + 1)
    grad_sq = np.empty(steps + 1)
    lam = np.full(steps + 1, np.nan)
    for k in range(steps + 1):
        pre = X @ W.T
        active = (pre >= 0).astype(float)
        r = (np.maximum(pre, 0.0) @ a) / np.sqrt(m) - y
        res[k] = r @ r
        if track_kernel:
            lam[k] = np.linalg.eigvalsh((X @ X.T) * (active @ active.T) / m)[0]
        # grad_{w_r} = m^{-1/2} a_r sum_i r_i 1{w_r.x_i >= 0} x_i
        grad = (a[:, None] / np.sqrt(m)) * ((active * r[:, None]).T @ X)
        grad_sq[k] = float(np.sum(grad * grad))
        if k < steps:
            W -= eta * grad
    movement = float(np.max(np.linalg.norm(W - net.W, axis=1)))
    return GDTrace(res, lam, movement, Network(W, a), grad_sq)


def unit_points_balls(data: DataSet):
    """The data set's directions ``x_i / |x_i|`` as rows of arb balls (current precision)."""
    rows = [[ARB.number(x) for x in row] for row in data.points]
    return [[x / ARB.norm(row) for x in row] for row in rows]


def jacobian_balls(W_rows, a, X_balls):
    """``DF`` on balls for an exact first layer ``W_rows`` (rows of Fractions) and the
    balls ``X_balls`` of :func:`unit_points_balls`.  An activation ``1{w_r.x_i >= 0}`` whose
    pre-activation ball contains 0 is undecided: :class:`ValueError` (the network is not
    differentiable there, and no Jacobian can be certified)."""
    W = [[ARB.number(x) for x in row] for row in W_rows]
    m = len(W)
    scale = arb(1) / arb(m).sqrt()
    J = []
    for i, x in enumerate(X_balls):
        row = []
        for r, w in enumerate(W):
            pre = sum((u * v for u, v in zip(w, x)), arb(0))
            if pre.contains(0):
                raise ValueError(f"pre-activation w_{r}.x_{i} is not separated from 0")
            gate = scale * a[r] if pre > 0 else arb(0)
            row.extend(gate * v for v in x)
        J.append(row)
    return J
