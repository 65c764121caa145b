"""The teacher-student model's record: what the shared engines see of it.

:data:`TEACHER_STUDENT` names the configuration type (:class:`numeric.config.Configuration`),
the loss (Zhou, Ge, Jin, Definition 2), the scale (the loss level), its stationary-point
hunt (:data:`TEACHER_STUDENT_HUNT`, whose hunt is :func:`.hunt.hunt`) and the starts of the
level-set optimiser (:func:`.worst_case_starts.sampled_starts`).  Its sublevel-set search
plan is :func:`.search_plan.teacher_student_plan` (drawing from :mod:`.strategies`); user
claims get the defaults of :func:`.user_claims.as_user_claim`; its campaign task types (the
hunt and the margin optimisation on a teacher of a named geometry) are
:data:`.campaign_tasks.TASK_TYPES`.
"""
from __future__ import annotations

from numeric.config import Configuration
from proofs_check.errors import UsageError
from proofs_check.landscape import HuntModel
from proofs_check.models import Model
from proofs_check.models.teacher_student.campaign_tasks import TASK_TYPES
from proofs_check.models.teacher_student.hunt import hunt
from proofs_check.models.teacher_student.samplers import FAMILIES
from proofs_check.models.teacher_student.search_plan import teacher_student_plan
from proofs_check.models.teacher_student.user_claims import as_user_claim
from proofs_check.models.teacher_student.worst_case_starts import sampled_starts

__all__ = ["TEACHER_STUDENT", "TEACHER_STUDENT_HUNT", "MODELS"]


def _teacher_student(teacher, students: int, activation: str):
    """Definition 2's network with ``students`` rows; the paper's setting needs ``m >= r``."""
    from numeric.stationary import TeacherStudentModel

    if students < len(teacher):
        raise UsageError(f"--students = {students} is below r = {len(teacher)} teacher rows; "
                         "the paper's setting needs m >= r")
    return TeacherStudentModel.from_rows(teacher, students, activation)


#: The stationary-point hunt of ``proofs-check stationary`` (the default model).
TEACHER_STUDENT_HUNT = HuntModel(
    id="zgj.teacher_student",
    description="Definition 2: m students ||w_j|| |w_j.x| against an r-row teacher (abs; "
                "relu: App. A's network with the linear term fitted)",
    build=_teacher_student,
    activations=("abs", "relu"),
    hunt=hunt,
)

TEACHER_STUDENT = Model(
    name="teacher-student, absolute-value activation, Gaussian input, population loss",
    configuration=Configuration,
    loss=r"L(W)=\tfrac12\,\mathbb E_{x\sim N(0,I_d)}\Bigl[\Bigl(\sum_{j\le m}\|w_j\|\,|w_j^\top x|"
         r"-\sum_{i\le r}|w_i^{*\top}x|\Bigr)^2\Bigr]",
    hunts=(TEACHER_STUDENT_HUNT,),
    scale="loss level L",
    worst_case_starts=sampled_starts,
    start_families=FAMILIES,
    search_plan=teacher_student_plan,
    user_claim=as_user_claim,
    task_types=TASK_TYPES,
)

#: The models this package declares (:func:`proofs_check.models.builtin_models`).
MODELS = (TEACHER_STUDENT,)
