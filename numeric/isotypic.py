"""The inertia of the full Hessian at a symmetric point, from its isotypic decomposition.

Layout (as in :func:`numeric.fixed_point.symmetric_group_generators`): ``q = r - c``
generic indices; coordinates ``0..q-1`` generic, ``q..r-1`` special; students
``k q + i`` (``k < copies``, ``i < q``) attached to the generic index ``i``, then ``f``
special students.  ``S_q`` acts on the generic indices of coordinates and of every copy
of students at once.  If the point ``W`` is fixed by this ``S_q`` then the Hessian
``H`` commutes with it, and ``R^{m x d}`` splits as

    copies (P (x) P) + copies c (P (x) 1) + f (1 (x) P) + f c (1 (x) 1),

with ``P = 1 + S`` the permutation module of ``S_q`` (``S`` the standard module) and
``P (x) P = 2 [1] + 3 [S] + [S^(q-2,2)] + [S^(q-2,1,1)]`` (valid for ``q >= 4``).  So the
isotypic components are

=============  ===========================  ===============================
irrep          dimension                    multiplicity (block size)
=============  ===========================  ===============================
trivial        1                            2 copies + copies c + f + f c
standard       q - 1                        3 copies + copies c + f
(q-2, 2)       q (q - 3) / 2                copies
(q-2, 1, 1)    (q - 1)(q - 2) / 2           copies
=============  ===========================  ===============================

and block sizes do not grow with ``r`` (multiplicities, the dimensions, do).  For an irrep
``rho`` we take one vector ``s`` of it and its images ``v_a = phi_a(s)`` under a basis of
equivariant maps ``phi_a : rho -> R^{m x d}`` (the columns of ``V``).  ``H phi_a`` is again
equivariant, so ``span(v_a)`` is ``H``-invariant, ``H`` acts on it with the eigenvalues of
its ``rho``-block, each eigenvalue of the block has multiplicity ``dim rho`` in ``H``, and
``B = V^T H V`` has the inertia of that block (Sylvester).  With ``G = V^T V = L L^T``
(exact integers, Cholesky on balls) the block is ``L^-1 B L^-T``.

Every ``v_a`` is fixed by the pointwise stabiliser ``K = S_{q-4}`` of the generic indices
``0..3``, so ``B`` only needs the Hessian restricted to ``Fix(K)``: a
:class:`numeric.fixed_point.RestrictedModel` whose size does not grow with ``r``.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import comb

import numpy as np
from flint import arb, arb_mat

from numeric.fixed_point import RestrictedModel, symmetric_group_generators
from numeric.orthonormal_networks import OrthonormalNetwork
from numeric.stationary import Inertia, inertia

__all__ = ["Layout", "IsotypicBlock", "irrep_vectors", "isotypic_blocks", "full_inertia"]


@dataclass(frozen=True)
class Layout:
    """``r`` teachers (``d = r``), ``m`` students, ``copies`` students per generic index,
    ``special`` coordinates not permuted."""

    r: int
    m: int
    copies: int
    special: int

    @property
    def q(self) -> int:
        return self.r - self.special

    @property
    def free_students(self) -> int:
        return self.m - self.copies * self.q

    def __post_init__(self):
        if self.q < 1 or self.free_students < 0 or self.copies < 0:
            raise ValueError(f"layout {self}: needs r > special and m >= copies (r - special)")


def irrep_vectors(layout: Layout) -> dict:
    """``{name: (dimension of the irrep, [m x d integer matrices v_a])}`` (``q >= 4``)."""
    q, c, f, K = layout.q, layout.special, layout.free_students, layout.copies
    m, d = layout.m, layout.r
    if q < 4:
        raise ValueError(f"the decomposition needs q = r - special >= 4 (q = {q})")

    def zero():
        return np.zeros((m, d), dtype=np.int64)

    s = -np.ones(q, dtype=np.int64)
    s[0] += q  # q e_0 - sum_i e_i: fixed by the permutations of 1..q-1
    sym = np.zeros((q, q), dtype=np.int64)  # in S^(q-2,2): symmetric, zero diagonal and row sums
    for (a, b), v in {(0, 2): 1, (1, 3): 1, (0, 3): -1, (1, 2): -1}.items():
        sym[a, b] = sym[b, a] = v
    alt = np.zeros((q, q), dtype=np.int64)  # in S^(q-2,1,1): antisymmetric, zero row sums
    for a, b in ((0, 1), (1, 2), (2, 0)):
        alt[a, b], alt[b, a] = 1, -1
    off = 1 - np.eye(q, dtype=np.int64)
    trivial, standard, two_row, hook = [], [], [], []
    for k in range(K):
        rows = slice(k * q, (k + 1) * q)
        for target, matrices in ((trivial, (np.eye(q, dtype=np.int64), off)),
                                 (standard, (np.diag(s), s[:, None] * off, off * s[None, :])),
                                 (two_row, (sym,)), (hook, (alt,))):
            for X in matrices:
                v = zero()
                v[rows, :q] = X
                target.append(v)
        for j in range(c):
            for target, column in ((trivial, np.ones(q, dtype=np.int64)), (standard, s)):
                v = zero()
                v[rows, q + j] = column
                target.append(v)
    for i in range(f):
        row = K * q + i
        for target, values in ((trivial, np.ones(q, dtype=np.int64)), (standard, s)):
            v = zero()
            v[row, :q] = values
            target.append(v)
        for j in range(c):
            v = zero()
            v[row, q + j] = 1
            trivial.append(v)
    return {"trivial": (1, trivial), "standard": (q - 1, standard),
            "(q-2,2)": (q * (q - 3) // 2, two_row), "(q-2,1,1)": (comb(q - 1, 2), hook)}


@dataclass(frozen=True)
class IsotypicBlock:
    """One irrep's block: its dimension (each eigenvalue's multiplicity in ``H``), the
    block size and the inertia of the block on balls."""

    name: str
    dimension: int
    size: int
    inertia: Inertia


def _cholesky(G):
    """Lower-triangular ``L`` with ``L L^T = G`` (an arb_mat, positive definite)."""
    n = G.nrows()
    L = arb_mat(n, n)
    for j in range(n):
        acc = G[j, j] - sum((L[j, k] * L[j, k] for k in range(j)), arb(0))
        L[j, j] = acc.sqrt()
        for i in range(j + 1, n):
            L[i, j] = (G[i, j] - sum((L[i, k] * L[j, k] for k in range(j)), arb(0))) / L[j, j]
    return L


def stabiliser_model(network: OrthonormalNetwork, layout: Layout) -> RestrictedModel:
    """The loss restricted to ``Fix(S_{q-4})`` (pointwise stabiliser of generic 0..3)."""
    gens = symmetric_group_generators(layout.r, copies=layout.copies, special=layout.special,
                                      fixed_indices=4, m=layout.m)
    return RestrictedModel(network, layout.r, layout.m, tuple(gens))


def isotypic_blocks(network: OrthonormalNetwork, layout: Layout, W_balls) -> list:
    """The blocks of the Hessian at the point whose rows are ``W_balls`` (an ``m x d``
    list of balls, fixed by ``S_q``), each with its inertia.  Call inside the ball
    precision context."""
    model = stabiliser_model(network, layout)
    basis = model.basis
    labels, signs = basis.labels, basis.signs
    first = {}
    for (i, j), label in np.ndenumerate(labels):
        if label >= 0 and label not in first:
            first[int(label)] = (i, j)
    y = [int(signs[first[k]]) * W_balls[first[k][0]][first[k][1]] for k in range(basis.dimension)]
    _, H = model.ball_gradient_hessian(y)
    Hm = arb_mat([[arb(h) for h in row] for row in H])
    sizes = basis.orbit_sizes
    out = []
    for name, (dimension, vectors) in irrep_vectors(layout).items():
        C = np.stack([basis.coordinates(v) for v in vectors], axis=1)  # P x size, exact
        G = C.T @ (sizes[:, None] * C)
        Cm = arb_mat([[arb(int(x)) for x in row] for row in C])
        B = Cm.transpose() * Hm * Cm
        L = _cholesky(arb_mat([[arb(int(x)) for x in row] for row in G]))
        Linv = L.inv()
        M = Linv * B * Linv.transpose()
        size = len(vectors)
        block = [[(M[a, b] + M[b, a]) / 2 for b in range(size)] for a in range(size)]
        inert = inertia(block)
        if inert.undecided:
            inert = inertia(block, eig_dps=40)
        out.append(IsotypicBlock(name, dimension, size, inert))
    return out


def full_inertia(blocks) -> Inertia:
    """The inertia of ``H``: each block's counts times the irrep's dimension; the smallest
    eigenvalue is the smallest over the blocks."""
    neg = sum(b.dimension * b.inertia.negative for b in blocks)
    und = sum(b.dimension * b.inertia.undecided for b in blocks)
    pos = sum(b.dimension * b.inertia.positive for b in blocks)
    lower = min((b.inertia.min_eigenvalue.lower() for b in blocks), key=float)
    upper = min((b.inertia.min_eigenvalue.upper() for b in blocks), key=float)
    return Inertia(neg, und, pos, arb.union(arb(lower), arb(upper)))
