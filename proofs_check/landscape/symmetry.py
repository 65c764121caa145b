"""The teachers' symmetries and deduplication modulo symmetry.

The loss is invariant under permutations of the students, the sign of each student row,
and every orthogonal map ``A`` that permutes the teachers up to sign
(:func:`teacher_symmetries`); two points are one point when their effective vectors
``u_j = ||w_j|| w_j`` have the same key (:func:`symmetry_key`).
"""
from __future__ import annotations

import itertools

import numpy as np

from proofs_check.landscape.types import KEY_DECIMALS

__all__ = ["teacher_symmetries", "sign_normalised_rows", "symmetry_key", "atom_image_labels",
           "smallest_label_set"]

def teacher_symmetries(teacher, tol: float = 1e-10) -> list:
    """Orthogonal ``d x d`` maps ``A`` with ``A w*_i = s_i w*_pi(i)`` for a permutation ``pi``
    and signs ``s`` (the loss is invariant under them), found by solving on the teachers'
    span and acting as ``+-I`` on its complement.  Always contains the identity.

    >>> len(teacher_symmetries([[1, 0], [0, 1]]))  # the dihedral group of the square
    8
    """
    T = np.asarray(teacher, dtype=float)
    r, d = T.shape
    if np.linalg.matrix_rank(T, tol=1e-9) < r or r > 5:
        return [np.eye(d)]
    pinv = np.linalg.pinv(T.T)  # r x d
    proj = T.T @ pinv  # projection on the span
    out = {}  # keyed by the rounded matrix: linear, not quadratic, in the group's size
    for perm in itertools.permutations(range(r)):
        for signs in itertools.product((1, -1), repeat=r):
            target = (np.array(signs)[:, None] * T[list(perm)]).T  # d x r
            on_span = target @ pinv
            for eps in ((1,) if np.allclose(proj, np.eye(d)) else (1, -1)):
                A = on_span + eps * (np.eye(d) - proj)
                if np.allclose(A.T @ A, np.eye(d), atol=tol):
                    out.setdefault(tuple(np.round(A, 8).ravel() + 0.0), A)
    return list(out.values())


def sign_normalised_rows(images):
    """Each row of ``images`` (any shape ``(..., d)``) with its sign flipped so that its first
    entry above ``10^-KEY_DECIMALS`` in size is positive, rounded to ``KEY_DECIMALS``."""
    big = np.abs(images) > 10.0 ** -KEY_DECIMALS
    first = np.take_along_axis(images, np.argmax(big, axis=-1)[..., None], axis=-1)[..., 0]
    flip = np.where(big.any(axis=-1) & (first < 0), -1.0, 1.0)
    return np.round(images * flip[..., None], KEY_DECIMALS) + 0.0  # + 0.0: no -0.0


def _sign_normalised(images):
    """Images ``(k, n, d)``, rows sign-normalised and each image's rows sorted
    lexicographically (all images at once: the group has up to ``2^r r!`` elements)."""
    rounded = sign_normalised_rows(images)
    order = np.lexsort([rounded[..., c] for c in reversed(range(rounded.shape[-1]))], axis=-1)
    return np.take_along_axis(rounded, order[..., None], axis=1)


def symmetry_key(U, group) -> tuple:
    """``(key, orbit size)``: the smallest sign-normalised, sorted image of the effective
    vectors ``U`` under ``group``, and the number of distinct images.

    >>> symmetry_key([[0.0, -2.0], [1.0, 0.0]], teacher_symmetries([[1, 0], [0, 1]]))
    (((0.0, 1.0), (2.0, 0.0)), 2)
    """
    U = np.asarray(U, dtype=float)
    if not len(U):
        return (), 1
    images = np.einsum("nd,ked->kne", U, np.asarray(group))  # U @ A.T for every A
    flat = _sign_normalised(images).reshape(len(group), -1)
    smallest = flat[np.lexsort(flat.T[::-1])[0]]
    key = tuple(map(tuple, smallest.reshape(U.shape).tolist()))
    return key, len(np.unique(flat, axis=0))



def atom_image_labels(units, group) -> np.ndarray:
    """``labels[g, i]``: the image of atom ``i`` under ``group[g]``, up to sign, as an integer
    label (equal labels: equal sign-normalised rounded vectors).  A combination of atoms is
    then compared with its images as sorted label tuples, which is :func:`symmetry_key`'s
    equivalence without building each image (at r = 5 the group has 3840 elements and
    thousands of combinations are compared)."""
    images = sign_normalised_rows(np.einsum("nd,ked->kne", units, np.asarray(group)))
    _, labels = np.unique(images.reshape(-1, units.shape[1]), axis=0, return_inverse=True)
    return labels.reshape(len(group), len(units))


#: Compare-exchange networks sorting 1 to 4 columns (Knuth, TAOCP 3, 5.3.4).
_SORTING_NETWORKS = {1: (), 2: ((0, 1),), 3: ((0, 1), (1, 2), (0, 1)), 4: ((0, 1), (2, 3), (0, 2), (1, 3), (1, 2))}


def smallest_label_set(images) -> tuple:
    """The lexicographically smallest row of ``images`` (``k x w`` labels) after sorting each
    row: a combination's key, the same for every combination of its orbit.  Columns are
    sorted with a compare-exchange network (``np.sort`` along short rows costs ~1 ms at
    k = 3840), then the smallest row is found column by column."""
    k, w = images.shape
    if w not in _SORTING_NETWORKS:
        images = np.sort(images, axis=1)
        return tuple(images[np.lexsort(images.T[::-1])[0]].tolist())
    columns = [images[:, j] for j in range(w)]
    for i, j in _SORTING_NETWORKS[w]:
        columns[i], columns[j] = np.minimum(columns[i], columns[j]), np.maximum(columns[i], columns[j])
    rows = np.ones(k, dtype=bool)
    key = []
    for column in columns:
        smallest = column[rows].min()
        key.append(int(smallest))
        rows &= column == smallest
    return tuple(key)
