"""Safran and Shamir's model as a model of the shared stationary-point hunt.

:data:`RELU_UNIT_OUTPUT_HUNT` is what the paper declares to ``proofs-check stationary
--paper ss``: :class:`numeric.safran_shamir.SafranShamirModel` (smooth away from zero rows,
so no reduction is needed), run by :func:`proofs_check.landscape.hunt_generic`: descent in
float64 (Armijo gradient steps, then Newton), deduplication by :func:`symmetry_key`,
Newton at ``dps`` digits, the Krawczyk certificate and the Hessian's inertia on the box.
A certified point whose Hessian is positive definite on the box and whose loss enclosure
is above 0 is a spurious local minimum.

Starts (:func:`starts`): first one structured start (teacher rows pulled towards the
direction ``s = sum_j v_j`` plus one neuron near ``s``: the symmetry type of the minima the
hunt finds for n = 7, 8 from random starts; it reaches a spurious minimum for every
k = n = 6..10, and is the only way found to n = 6, where none of 4700 random starts
did), then Xavier-like random starts ``w_i ~ N(0, I/d)`` as in the paper's experiments.

What one more neuron does to a minimum found here is :mod:`.escape`.
"""
from __future__ import annotations

import numpy as np

from numeric.safran_shamir import SafranShamirModel
from proofs_check.errors import UsageError
from proofs_check.landscape import HuntModel

__all__ = ["RELU_UNIT_OUTPUT_HUNT", "GD_STEPS", "starts", "symmetry_key", "structured_start"]

#: Descent steps before Newton (the paper's GD runs until ``||grad|| <= 1e-12``).
GD_STEPS = 2000


def _build(teacher, students: int, activation: str) -> SafranShamirModel:
    try:
        return SafranShamirModel(tuple(tuple(row) for row in teacher), int(students))
    except ValueError as exc:
        raise UsageError(f"Safran-Shamir model: {exc}") from None


def structured_start(model: SafranShamirModel) -> np.ndarray:
    """Rows ``v_i - 0.045 s + 0.3 v_last`` for the first ``min(k, n) - 1`` teacher rows and
    ``0.21 s - 0.6 v_last`` (``s = sum_j v_j``), extra students small and fixed: the
    symmetry type of the spurious minima found for n = 7, 8 (flat vector)."""
    V = model.teacher64
    n, d, k = len(V), model.d, model.k
    s = V.sum(axis=0)
    rows = [V[i] - 0.045 * s + 0.3 * V[n - 1] for i in range(min(k, n) - 1)]
    rows.append(0.21 * s - 0.6 * V[n - 1])
    extra = np.random.default_rng([n, k]).standard_normal((max(0, k - len(rows)), d)) * 0.05
    return np.vstack([np.array(rows)[:k], extra]).reshape(-1)


def starts(model: SafranShamirModel, count: int, seed: int) -> list:
    """``count`` starts: the structured one, then ``w_i ~ N(0, I/d)`` drawn from the
    generator ``[seed, n]`` (so the random starts do not depend on ``count``)."""
    rng = np.random.default_rng([seed, len(model.teacher)])
    out = [("structured", structured_start(model))]
    while len(out) < count:
        out.append(("random", rng.standard_normal(model.n) / np.sqrt(model.d)))
    return out[:count]


def symmetry_key(model: SafranShamirModel, x) -> tuple:
    """The loss is invariant under permutations of the students and, for the orthonormal
    teacher ``I_n``, of the coordinates: the loss (to 1e-9) and the multiset of the entries
    (to 1e-5) are invariant under both and tell the points found apart.  The orbit size is
    not counted (``None``)."""
    loss, _ = model.loss_gradient64(x)
    return (round(float(loss), 9), tuple(np.sort(np.round(np.asarray(x, dtype=float), 5)) + 0.0)), None


RELU_UNIT_OUTPUT_HUNT = HuntModel(
    id="ss.relu_unit_output",
    description="k ReLU students with unit output weights against the ReLU teacher "
                "sum_j relu(v_j.x) (default v_j = e_j), Gaussian input, loss 1/2 E[(...)^2]",
    build=_build,
    activations=("relu",),
    starts=starts,
    symmetry_key=symmetry_key,
    gd_steps=GD_STEPS,
)
