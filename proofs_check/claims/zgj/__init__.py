"""Claims of Zhou, Ge, Jin, "A Local Convergence Theory for Mildly Over-Parameterized Two-Layer Neural Network" (COLT 2021, PMLR 134:4577-4632; arXiv:2102.02410). One module per claim."""
from pathlib import Path

from numeric.config import Configuration
from proofs_check.errors import UsageError
from proofs_check.landscape import HuntModel, hunt
from proofs_check.models import Model
from proofs_check.papers import Paper


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

PAPER = Paper(
    id="zgj",
    title="A Local Convergence Theory for Mildly Over-Parameterized Two-Layer Neural Network",
    authors=("Mo Zhou", "Rong Ge", "Chi Jin"),
    venue="COLT",
    year=2021,
    arxiv="2102.02410",
    bibtex=r"""@inproceedings{zhou21b,
  title = {A Local Convergence Theory for Mildly Over-Parameterized Two-Layer Neural Network},
  author = {Zhou, Mo and Ge, Rong and Jin, Chi},
  booktitle = {Proceedings of Thirty Fourth Conference on Learning Theory},
  series = {Proceedings of Machine Learning Research},
  volume = {134},
  pages = {4577--4632},
  year = {2021}
}""",
    model=Model(
        name="teacher-student, absolute-value activation, Gaussian input, population loss",
        configuration=Configuration,
        loss=r"L(W)=\tfrac12\,\mathbb E_{x\sim N(0,I_d)}\Bigl[\Bigl(\sum_{j\le m}\|w_j\|\,|w_j^\top x|"
             r"-\sum_{i\le r}|w_i^{*\top}x|\Bigr)^2\Bigr]",
        hunts=(TEACHER_STUDENT_HUNT,),
        scale="loss level L",
    ),
    package=__name__,
    template=Path(__file__).with_name("report.tex.j2"),
    # Main results, then the lemmas of the body, the appendix lemmas and Section 4's Claim 2.
    claim_order=("zgj.thm4", "zgj.eps0", "zgj.thm5", "zgj.lemma8", "zgj.lemma9", "zgj.lemma10",
                 "zgj.lemma11", "zgj.lemma12", "zgj.lemma13", "zgj.lemma14", "zgj.lemmaC3",
                 "zgj.lemmaC5", "zgj.lemmaC6", "zgj.lemmaC7", "zgj.lemmaC8", "zgj.lemmaC11",
                 "zgj.lemmaD2", "zgj.claim2"),
    summary="Local convergence of gradient descent below a loss threshold, for a student with "
            "m >= r neurons learning an r-neuron teacher: ||grad L|| >= kappa L (Lojasiewicz "
            "exponent 1) and an O(1/t) rate.",
)
