"""Seeds from symmetry: zero searches on fixed-point subspaces.

The loss is invariant under ``W -> S P W A^T`` for every teacher symmetry ``A``
(:func:`proofs_check.landscape.symmetry.teacher_symmetries`), student permutation ``P``
and diagonal sign matrix ``S``.  For one such map ``g`` the configurations it fixes form
a linear subspace ``V_g = ker(K_g - I)`` with ``K_g = (S P) (x) A`` acting on
``vec(W)`` (rows of ``W`` concatenated).  By the principle of symmetric criticality
(Palais 1979; here elementary: ``grad L(g W) = g grad L(W)`` and ``g`` is orthogonal, so
``grad L`` maps ``V_g`` into ``V_g``), a zero of the restricted gradient ``Phi^T grad L(Phi z)``
(``Phi`` an orthonormal basis of ``V_g``) is a zero of the full gradient.  The restricted
system has ``dim V_g`` unknowns instead of ``m d``: the symmetric saddles, which random
starts rarely reach, are found there, then lifted and certified in the full space by the
hunt.

:func:`subspaces` draws maps lazily: ``A`` from the group (not the identity), ``P`` with
cycle lengths dividing the order of ``A``, random signs; subspaces of dimension 0 or
above ``n / 2`` are skipped.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

__all__ = ["FixedSubspace", "fixed_subspace", "subspaces", "RestrictedModel", "RestrictedDeflation"]

#: Orders of a group element looked for (an element of larger order is skipped).
MAX_ORDER = 12


@dataclass(frozen=True)
class FixedSubspace:
    """An orthonormal ``basis`` (``m d x k``) of the configurations fixed by one symmetry,
    with a ``description`` of it."""

    description: str
    basis: np.ndarray

    @property
    def dimension(self) -> int:
        return self.basis.shape[1]


def fixed_subspace(A, permutation, signs, tol: float = 1e-9, constraints=None) -> np.ndarray:
    """Orthonormal basis of ``{W : S P W A^T = W}`` with ``(P W)_j = W_permutation[j]``,
    ``S = diag(signs)``, and ``constraints @ vec(W) = 0`` if given.

    >>> basis = fixed_subspace(np.diag([1.0, -1.0]), [0], [1])  # one row, on the x-axis
    >>> basis.shape, float(abs(basis[0, 0]))
    ((2, 1), 1.0)
    """
    A = np.asarray(A, dtype=float)
    m = len(permutation)
    SP = np.zeros((m, m))
    SP[np.arange(m), np.asarray(permutation)] = np.asarray(signs, dtype=float)
    K = np.kron(SP, A) - np.eye(m * len(A))
    if constraints is not None:  # further linear conditions C vec(W) = 0
        K = np.vstack([K, constraints])
    _, s, vt = np.linalg.svd(K)
    return vt[s < tol].T.copy()


def _order(A) -> int | None:
    P = np.eye(len(A))
    for k in range(1, MAX_ORDER + 1):
        P = P @ A
        if np.allclose(P, np.eye(len(A)), atol=1e-9):
            return k
    return None


def _permutation_with_cycles(m: int, order: int, rng) -> list:
    """A random permutation of ``m`` students whose cycle lengths divide ``order``."""
    lengths = [k for k in range(1, order + 1) if order % k == 0 and k <= m]
    left = [int(j) for j in rng.permutation(m)]
    perm = list(range(m))
    while left:
        fits = [k for k in lengths if k <= len(left)]
        k = int(rng.choice(fits))
        cycle, left = left[:k], left[k:]
        for i, j in enumerate(cycle):
            perm[j] = cycle[(i + 1) % k]
    return perm


def subspaces(group, m: int, d: int, rng, *, tries: int = 10**6, stale: int = 300,
              teacher=None) -> Iterator[FixedSubspace]:
    """Fixed-point subspaces of random elements ``(A, P, S)``, lazily (see the module
    docstring); each of dimension between 1 and ``m d / 2``, none twice.  Ends after
    ``stale`` draws in a row gave nothing new (a small group has few subspaces).

    With ``teacher`` rows spanning less than ``R^d``, each subspace is followed by its
    intersection with ``{every student in the teachers' span}`` (the fixed points of ``-I``
    on the span's complement): the symmetric configurations of the lower dimension, which
    a hunt in ``d = r + m`` must contain too; the first subspace is that set itself."""
    in_span = None
    if teacher is not None:
        T = np.asarray(teacher, dtype=float)
        _, sv, vt = np.linalg.svd(T, full_matrices=True)
        complement = vt[int((sv > 1e-12).sum()):]  # rows: an orthonormal basis of the complement
        if len(complement):
            in_span = np.kron(np.eye(m), complement)
            # First the whole lower-dimensional problem (of any dimension): d = rank.
            _, sv, vt = np.linalg.svd(in_span, full_matrices=True)
            yield FixedSubspace("students in the teachers' span", vt[int((sv > 1e-12).sum()):].T.copy())
    candidates = [A for A in group if not np.allclose(A, np.eye(d))]
    if not candidates:
        return
    orders = [_order(A) for A in candidates]
    seen = set()
    since_new = 0
    for _ in range(tries):
        since_new += 1
        if since_new > stale:
            return
        i = int(rng.integers(len(candidates)))
        if orders[i] is None:
            continue
        perm = _permutation_with_cycles(m, orders[i], rng)
        signs = rng.choice([-1, 1], size=m)
        described = f"A #{i + 1} of order {orders[i]}, students {perm}, signs {signs.tolist()}"
        variants = [(described, fixed_subspace(candidates[i], perm, signs))]
        if in_span is not None:
            variants.append((described + ", students in the teachers' span",
                             fixed_subspace(candidates[i], perm, signs, constraints=in_span)))
        for text, basis in variants:
            k = basis.shape[1]
            if k == 0 or 2 * k > m * d:
                continue
            key = (np.round(basis @ basis.T, 6) + 0.0).tobytes()
            if key in seen:
                continue
            seen.add(key)
            since_new = 0
            yield FixedSubspace(text, basis)


class RestrictedModel:
    """The model restricted to ``x = Phi z``: the protocol of :mod:`numeric.stationary`'s
    float64 part (``n``, ``loss_gradient64``, ``hessian64``, ``snap``)."""

    def __init__(self, model, basis):
        self.model, self.basis = model, np.asarray(basis, dtype=float)
        self.n = self.basis.shape[1]

    def lift(self, z) -> np.ndarray:
        return self.basis @ np.asarray(z, dtype=float)

    def loss_gradient64(self, z):
        L, g = self.model.loss_gradient64(self.lift(z))
        return L, self.basis.T @ g

    def hessian64(self, z):
        return self.basis.T @ self.model.hessian64(self.lift(z)) @ self.basis

    def snap(self, z):
        # Rows of one orbit have equal norms, so snapping keeps the point in the subspace.
        return self.basis.T @ self.model.snap(self.lift(z))


class RestrictedDeflation:
    """A full-space deflation seen from the subspace: ``M(Phi z)``, ``Phi^T grad M``."""

    def __init__(self, deflation, basis):
        self.deflation, self.basis = deflation, basis

    def factor(self, z):
        M, gM = self.deflation.factor(self.basis @ z)
        return M, self.basis.T @ gM
