"""The ambient dimension searched.

Theorem 4 holds in every ``d >= r`` with the same ``eps0``, and stationary points exist in
every such ``d``.  Up to a rotation that fixes the teachers, every configuration of ``m``
students lies in ``R^(r+m)``: the teachers and students span at most ``r + m``
dimensions, and an orthogonal map fixing the teachers' span moves that span into the
first ``r + m`` coordinates (the loss is invariant under it).  So a hunt in ``d = r + m``
covers every ``d``; stationary points in a larger ``d`` can be lower than in ``d = r``.
The hunt searches ``R^dim`` by padding the teacher rows with zeros.
"""
from __future__ import annotations

from proofs_check.errors import UsageError

__all__ = ["pad_teacher", "covering_dimension"]


def pad_teacher(teacher, dim: int | None) -> list:
    """The teacher rows padded with zeros to ``dim`` columns (``None``: unchanged).

    >>> pad_teacher([[1, 0], [0, 1]], 3)
    [[1, 0, 0], [0, 1, 0]]
    """
    rows = [list(row) for row in teacher]
    if dim is None:
        return rows
    d = len(rows[0])
    if dim < d:
        raise UsageError(f"--dim = {dim} is below the teacher's dimension {d}")
    return [row + [0] * (dim - d) for row in rows]


def covering_dimension(r: int, m: int) -> int:
    """``r + m``: the dimension whose hunt covers every ``d >= r`` (module docstring)."""
    return r + m
