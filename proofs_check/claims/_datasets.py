"""Data sets for the finite-sample papers (Du et al.; Liu, Zhu, Belkin): points on the sphere, labels, nearly parallel pairs.

Points are drawn in float64 and stored as 17-significant-digit decimal strings, so the data
set is exact from then on (every ball evaluation starts from the same rationals).
"""
from __future__ import annotations

import numpy as np

from numeric.dataset import DataSet

__all__ = ["sphere_dataset", "nearly_parallel_dataset", "dataset_rng", "well_conditioned_datasets"]


def _decimal(x: float) -> str:
    return f"{x:.17g}"


def _dataset(X: np.ndarray, y: np.ndarray) -> DataSet:
    return DataSet([[_decimal(v) for v in row] for row in X], [_decimal(v) for v in y])


def sphere_dataset(rng: np.random.Generator, n: int, d: int) -> DataSet:
    """``n`` uniform points on ``S^{d-1}`` and labels ``y_i ~ N(0, 1)``."""
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return _dataset(X, rng.standard_normal(n))


def nearly_parallel_dataset(rng: np.random.Generator, n: int, d: int, angle: float) -> DataSet:
    """A sphere data set whose points 0 and 1 are at the given angle (the others random)."""
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    z = rng.standard_normal(d)
    z -= (z @ X[0]) * X[0]
    z /= np.linalg.norm(z)
    X[1] = np.cos(angle) * X[0] + np.sin(angle) * z
    return _dataset(X, rng.standard_normal(n))


def dataset_rng(data: DataSet, salt: str = "") -> np.random.Generator:
    """A generator seeded by the data set itself, so that ``at`` (used by ``replay``) draws
    the same Monte Carlo sample for the same data set."""
    key = [int(x.numerator % 2**32) for row in data.points for x in row][:16]
    return np.random.default_rng([*key, *(ord(c) for c in salt)])


def well_conditioned_datasets(rng: np.random.Generator, count: int, n: int, d: int,
                              min_lambda0: float) -> list:
    """``count`` sphere data sets with ``lambda_min(H_inf) >= min_lambda0`` (float64
    estimate; rejection sampling), so that a width ``m >= n^2 / min_lambda0^2`` puts the
    kernel at initialisation near ``H_inf`` (Du et al., Lemma 3.1)."""
    from numeric.finite_width import gram_limit

    out = []
    while len(out) < count:
        data = sphere_dataset(rng, n, d)
        if np.linalg.eigvalsh(gram_limit(data))[0] >= min_lambda0:
            out.append(data)
    return out
