"""Claims of Zhou, Ge, Jin, "A Local Convergence Theory for Mildly Over-Parameterized Two-Layer Neural Network" (COLT 2021, PMLR 134:4577-4632; arXiv:2102.02410). One module per claim."""
from pathlib import Path

from proofs_check.claims.zgj.assumptions import HYPOTHESES
from proofs_check.claims.zgj.eps0 import optimiser_holds_at, paper_eps0
from proofs_check.claims.zgj.figures import PL_CONTRAST
from proofs_check.claims.zgj.families import FAMILY_RECORD
from proofs_check.models.teacher_student.model import TEACHER_STUDENT
from proofs_check.paper import Paper, Threshold

#: Section 4's contrasts (``contrast.*`` claims, :mod:`.contrast`): properties other regimes
#: enjoy that the paper says fail here; a part of this paper with its own report section.
CONTRAST = Paper(
    id="contrast",
    title="Contrasts between the regimes",
    authors=(),
    venue="",
    year=2021,
    bibtex="",
    model=None,
    package=f"{__name__}.contrast",
    template=Path(__file__).with_name("contrast.tex.j2"),
    cites=("zgj", "lzb", "du"),
    summary="Properties one paper proves in its regime and another says fail in the mildly "
            "over-parameterized teacher-student regime.",
    order=4,
    hypotheses=HYPOTHESES,
    figures=(PL_CONTRAST,),
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
    model=TEACHER_STUDENT,
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
    order=0,
    parts=(CONTRAST,),
    hypotheses=HYPOTHESES,
    threshold=Threshold(bound=paper_eps0, holds_at=optimiser_holds_at, claim="zgj.thm4"),
    families=FAMILY_RECORD,
)
