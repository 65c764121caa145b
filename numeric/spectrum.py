"""Certified enclosures of the smallest eigenvalue of a symmetric matrix of balls.

``lambda_min`` of a symmetric ``A`` is enclosed from both sides:

* **lower bound** ``s``: a Cholesky factorisation of ``A - s I`` carried out in ball
  arithmetic whose pivots are all certainly positive proves ``A - s I`` positive definite
  for every matrix inside the balls, so ``lambda_min(A) > s``;
* **upper bound**: the Rayleigh quotient ``v^T A v / v^T v`` for any fixed vector ``v``
  (the float64 eigenvector, made exact) is ``>= lambda_min(A)``; its error is quadratic in
  the eigenvector's error, so the enclosure is tight.

The shift ``s`` starts at the float64 estimate minus a small guard and backs off until the
factorisation certifies; if none does, the lower bound is ``-inf`` (no claim is made).

>>> import flint
>>> from flint import arb
>>> with flint.ctx.workdps(30):
...     lam = min_eigenvalue_enclosure([[arb(2), arb(1)], [arb(1), arb(2)]])
>>> lam.contains(1), lam.rad() < 1e-20
(True, True)
"""
from __future__ import annotations

from fractions import Fraction

import flint
import numpy as np
from flint import arb, fmpq

__all__ = ["certainly_positive_definite", "min_eigenvalue_enclosure"]


def certainly_positive_definite(A) -> bool:
    """True iff a Cholesky factorisation of the ball matrix ``A`` has certainly positive
    pivots: then every symmetric matrix in the balls is positive definite."""
    n = len(A)
    L = [[arb(0)] * n for _ in range(n)]
    for j in range(n):
        pivot = A[j][j] - sum((L[j][k] * L[j][k] for k in range(j)), arb(0))
        if not pivot > 0:
            return False
        L[j][j] = pivot.sqrt()
        for i in range(j + 1, n):
            L[i][j] = (A[i][j] - sum((L[i][k] * L[j][k] for k in range(j)), arb(0))) / L[j][j]
    return True


def _exact(x: float):
    f = Fraction(float(x))
    return arb(fmpq(f.numerator, f.denominator))


def min_eigenvalue_enclosure(A):
    """A ball containing ``lambda_min`` of the symmetric ball matrix ``A`` (list of rows).

    Call inside the working precision (``flint.ctx.workdps``).  The ball is
    ``[lower, upper]`` as described in the module docstring.  The shift below the float64
    estimate is ``guard * max|lambda|`` with ``guard`` from ``10^(5 - dps)`` up to ``0.1``;
    the float64 estimate itself is refined first by a Rayleigh quotient on the balls.
    """
    n = len(A)
    mids = np.array([[float(A[i][j].mid()) for j in range(n)] for i in range(n)])
    values, vectors = np.linalg.eigh((mids + mids.T) / 2)
    estimate, v = values[0], vectors[:, 0]
    vb = [_exact(x) for x in v]
    Av = [sum((A[i][j] * vb[j] for j in range(n)), arb(0)) for i in range(n)]
    upper = sum((vb[i] * Av[i] for i in range(n)), arb(0)) / sum((x * x for x in vb), arb(0))
    upper_hi = upper.mid() + upper.rad()
    scale = max(abs(values[0]), abs(values[-1]), 1e-300)
    lower = None
    estimate = arb(upper.mid())
    guard = 10.0 ** (5 - flint.ctx.dps)
    while lower is None and guard <= 0.1:
        s = estimate - _exact(guard * scale)
        shifted = [[A[i][j] - (s if i == j else 0) for j in range(n)] for i in range(n)]
        if certainly_positive_definite(shifted):
            lower = s
        guard *= 1000
    if lower is None:
        return arb(upper_hi) - arb("inf")  # no lower bound certified
    lo, hi = lower.mid() - lower.rad(), upper_hi
    return arb((lo + hi) / 2, (hi - lo) / 2)
