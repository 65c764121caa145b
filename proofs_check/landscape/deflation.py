"""Deflation modulo symmetry (Farrell, Birkisson and Funke 2015; the solver is
:func:`numeric.zero_search.levenberg_marquardt`).

A found point ``V`` (``m x d`` rows) stands for its whole orbit: the images ``V A^T`` under
the teachers' symmetries ``A`` and every permutation and sign change of its rows.  The
distance from ``W`` to the orbit is ``min_A min_pi sum_j min_s ||w_j - s v_pi(j) A^T||^2``;
the matching ``pi`` is chosen greedily (cheapest pair first), which gives the true
minimum when ``W`` is near the orbit (the only place where deflation matters) and an
upper bound elsewhere.  The deflation factor is ``M(W) = prod_i (D_i^(-p/2) + sigma)``
with ``D_i`` that squared distance to the ``i``-th orbit, ``p = 2``, ``sigma = 1``; its
gradient is taken with the minimising image and matching held fixed (they are locally
constant almost everywhere).

At most ``max_images`` images are kept (the newest points' orbits first trimmed to their
first group elements): the cost of one factor is linear in their number.
"""
from __future__ import annotations

import numpy as np

__all__ = ["OrbitDeflation"]


class OrbitDeflation:
    """The deflation factor of :mod:`numeric.zero_search` for points known up to the
    teachers' symmetries ``group``, student permutations and row signs.

    >>> import numpy as np
    >>> deflation = OrbitDeflation(2, 2, [np.eye(2)])
    >>> deflation.add(np.array([[1.0, 0.0], [0.0, 1.0]]))
    >>> near = np.array([0.0, -1.0, 1.0, 1e-3])  # rows swapped, one sign flipped
    >>> deflation.factor(near)[0] > 1e5
    True
    """

    def __init__(self, m: int, d: int, group, *, power: float = 2.0, shift: float = 1.0,
                 max_images: int = 4000):
        self.m, self.d = m, d
        self.group = [np.asarray(A, dtype=float) for A in group] or [np.eye(d)]
        self.power, self.shift, self.max_images = power, shift, max_images
        self.images = np.zeros((0, m, d))  # all images, point after point
        self.owner = np.zeros(0, dtype=int)  # which point each image belongs to
        self.points = 0

    def add(self, V) -> None:
        """Deflate the orbit of ``V`` (``m x d`` rows, or flat)."""
        V = np.asarray(V, dtype=float).reshape(self.m, self.d)
        room = max(1, self.max_images - len(self.images))
        images = np.stack([V @ A.T for A in self.group[:room]])
        self.images = np.concatenate([self.images, images])
        self.owner = np.concatenate([self.owner, np.full(len(images), self.points)])
        self.points += 1

    def _nearest(self, W):
        """Per point: squared distance to its orbit and the gradient of that distance."""
        m = self.m
        diff_minus = W[None, :, None, :] - self.images[:, None, :, :]  # (K, j, l, d)
        diff_plus = W[None, :, None, :] + self.images[:, None, :, :]
        cost_minus = np.einsum("kjld,kjld->kjl", diff_minus, diff_minus)
        cost_plus = np.einsum("kjld,kjld->kjl", diff_plus, diff_plus)
        cost = np.minimum(cost_minus, cost_plus)
        K = len(cost)
        work = cost.reshape(K, m * m).copy()
        total = np.zeros(K)
        pairs = np.zeros((K, m, 2), dtype=int)
        rows = np.arange(K)
        for step in range(m):  # greedy matching, all images at once
            best = np.argmin(work, axis=1)
            j, l = np.divmod(best, m)
            total += work[rows, best]
            pairs[:, step] = np.stack([j, l], axis=1)
            grid = work.reshape(K, m, m)
            grid[rows, j, :] = np.inf
            grid[rows, :, l] = np.inf
        out = []
        for point in range(self.points):
            mine = np.nonzero(self.owner == point)[0]
            k = mine[np.argmin(total[mine])]
            grad = np.zeros((m, self.d))
            for j, l in pairs[k]:
                sign = -1.0 if cost_plus[k, j, l] < cost_minus[k, j, l] else 1.0
                grad[j] = 2 * (W[j] - sign * self.images[k, l])
            out.append((float(total[k]), grad.reshape(-1)))
        return out

    def factor(self, x):
        if not self.points:
            return 1.0, np.zeros_like(x)
        W = np.asarray(x, dtype=float).reshape(self.m, self.d)
        M, log_gradient = 1.0, np.zeros(self.m * self.d)
        half = self.power / 2
        for D, gD in self._nearest(W):
            D = max(D, 1e-300)
            a = D ** -half
            M *= a + self.shift
            # d/dx log(D^-p/2 + sigma) = -(p/2) D^(-p/2 - 1) grad D / (D^-p/2 + sigma)
            log_gradient += -half * a / D * gD / (a + self.shift)
        return M, M * log_gradient
