"""Nonzero neurons as exact integer rows over a common denominator, and the per-neuron
quantities both ball evaluators (:mod:`numeric.precise`, :mod:`numeric.native`) build on.

A row ``w = V / q`` with integer ``V`` makes the Gram matrix ``V V^T`` exact (python-flint
``fmpz_mat``), so every cosine and, at nearly aligned pairs, every sine comes from exact
integers (Lagrange's identity).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from numeric.config import Configuration, TeacherStudentRows

__all__ = ["ExactRows", "IntegerRow", "integer_rows", "row_geometry"]


@dataclass(frozen=True)
class ExactRows(TeacherStudentRows):
    """Exact teacher and student rows (Fractions) with the fields of a
    :class:`numeric.config.Configuration` the evaluators read, without its validation: it
    allows ``m < r``, the reduced points of the stationary hunt (zero rows dropped)."""

    teacher: tuple
    student: tuple
    activation: str = "abs"


@dataclass(frozen=True)
class IntegerRow:
    """A nonzero neuron ``w = ints / q`` with integer ``ints`` (exact), its sign ``c`` (+1
    student, -1 teacher) and its student index (``None`` for a teacher)."""

    ints: tuple
    q: int
    sign: int
    student: int | None


def integer_rows(config: Configuration | ExactRows) -> list:
    """Nonzero student rows, then nonzero teacher rows, over a common denominator each."""
    out = []
    zero = set(config.zero_students())
    for sign, rows in ((1, config.student), (-1, config.teacher)):
        for j, row in enumerate(rows):
            if (sign == 1 and j in zero) or (sign == -1 and not any(row)):
                continue  # a zero neuron contributes nothing to f or f*
            ratios = [x.as_integer_ratio() for x in row]  # one call per entry, not two
            q = math.lcm(*[den for _, den in ratios])
            ints = tuple([num * (q // den) for num, den in ratios])
            out.append(IntegerRow(ints, q, sign, j if sign == 1 else None))
    return out


def row_geometry(F, rows, gram_diag):
    """Per nonzero neuron: ``|V_a|``, ``1 / |V_a|``, ``|w_a|``, ``x_a = c_a |z_a|`` and
    ``scale_a`` with ``c_a z_a = scale_a V_a``, from the exact ``|V_a|^2``."""
    root = [F.sqrt(F.integer(g)) for g in gram_diag]
    rho = [1 / r for r in root]
    w_norm = [root[a] / row.q for a, row in enumerate(rows)]
    s = [w_norm[a] if row.student is not None else F.q(1, 1) for a, row in enumerate(rows)]
    x = [row.sign * s[a] * w_norm[a] for a, row in enumerate(rows)]
    scale = [row.sign * s[a] / row.q for a, row in enumerate(rows)]
    return root, rho, w_norm, x, scale
