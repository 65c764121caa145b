"""Full-batch gradient descent on the population loss (Theorem 5's algorithm).

``W_{t+1} = W_t - eta grad L(W_t)`` with the closed-form gradient.  The trajectory is run in
float64 (:mod:`numeric.float64`), which is fast and accurate for the *iterates* (the
gradient has relative error ~1e-10 while ``L >= 1e-9``), but not for the loss at small
values: judge a trajectory by evaluating the recorded iterates with balls
(:func:`numeric.precise.evaluate`), which is what :func:`iterate_configuration` is for.
Iterates are float64 arrays, i.e. exact binary rationals, so the configuration built
from them is exactly the point the float64 run visited.

>>> import numpy as np
>>> run = gradient_descent(np.eye(2), np.array([[0.9, 0.1], [0.1, 0.9]]), eta=0.05, steps=50)
>>> bool(run.loss[-1] < run.loss[0])
True
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from numeric.config import Configuration
from numeric.float64 import loss_and_gradient

__all__ = ["Trajectory", "gradient_descent", "iterate_configuration", "student_teacher_angles"]


@dataclass(frozen=True)
class Trajectory:
    """``iterates[t]`` (``m x d``) for ``t = 0..T`` and the float64 ``loss[t]``, ``grad_norm[t]``."""

    teacher: np.ndarray
    iterates: list
    loss: np.ndarray
    grad_norm: np.ndarray
    eta: float
    stopped: str  # "steps" or "loss"

    @property
    def steps(self) -> int:
        return len(self.iterates) - 1


def gradient_descent(teacher, student, eta: float, steps: int, *, stop_loss: float | None = None,
                     activation: str = "abs") -> Trajectory:
    """Run ``steps`` GD steps in float64 (stop early once ``L < stop_loss``)."""
    T = np.asarray(teacher, float)
    W = np.array(student, float)
    iterates, losses, norms = [], [], []
    stopped = "steps"
    for t in range(steps + 1):
        L, G = loss_and_gradient(T, W, activation)
        iterates.append(W.copy())
        losses.append(L)
        norms.append(float(np.linalg.norm(G)))
        if stop_loss is not None and L < stop_loss:
            stopped = "loss"
            break
        if t < steps:
            W = W - eta * G
    return Trajectory(T, iterates, np.array(losses), np.array(norms), eta, stopped)


def iterate_configuration(run: Trajectory, t: int, activation: str = "abs") -> Configuration:
    """The exact configuration of iterate ``t`` (float64 entries are exact rationals)."""
    return Configuration(run.teacher.tolist(), run.iterates[t].tolist(), activation)


def student_teacher_angles(teacher, student):
    """Per student: ``(||w_j||, up-to-sign angle to the nearest teacher)``; angle nan at 0."""
    T = np.asarray(teacher, float)
    S = np.asarray(student, float)
    Tn = T / np.linalg.norm(T, axis=1)[:, None]
    out = []
    for w in S:
        n = float(np.linalg.norm(w))
        if n == 0:
            out.append((0.0, float("nan")))
            continue
        c = np.clip(np.abs(Tn @ (w / n)), 0.0, 1.0)
        s = np.sqrt(np.maximum(0.0, 1.0 - c * c))
        out.append((n, float(np.min(np.arctan2(s, c)))))
    return out
