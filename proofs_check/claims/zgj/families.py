"""The symmetric families ``proofs-check families --paper zgj`` follows (every one of
:data:`proofs_check.families.definitions.FAMILIES`): the absolute-value teacher-student loss
at orthonormal teachers, and the paper's eps0(r) (:mod:`.eps0`, ``Delta = pi/2``,
``w_min = w_max = 1``) beside the lowest spurious point."""
from __future__ import annotations

import mpmath

from numeric.orthonormal_networks import ABS_TEACHER_STUDENT
from numeric.stationary import TeacherStudentModel
from proofs_check.claims.zgj.eps0 import paper_eps0
from proofs_check.families.definitions import FAMILIES, PaperFamilies

__all__ = ["FAMILY_RECORD", "orthonormal_model", "eps0_at"]


def orthonormal_model(r: int, m: int):
    """The absolute-value loss of ``m`` students against ``r`` orthonormal teachers in ``d = r``."""
    eye = [[int(i == j) for j in range(r)] for i in range(r)]
    return TeacherStudentModel.from_rows(eye, m, "abs")


def eps0_at(r: int):
    """The paper's eps0 for ``r`` orthonormal teachers (``Delta = pi/2``, ``w_min = w_max = 1``)."""
    return paper_eps0(mpmath.pi / 2, 1, 1, r)


FAMILY_RECORD = PaperFamilies(names=tuple(f.name for f in FAMILIES), network=ABS_TEACHER_STUDENT,
                              full_model=orthonormal_model, eps0=eps0_at)
