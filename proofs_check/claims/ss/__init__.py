"""Claims of Safran and Shamir, "Spurious Local Minima are Common in Two-Layer ReLU Neural Networks" (ICML 2018; arXiv:1712.08968): certified spurious minima without over-parameterization.

Sources, as far as they were checked: the abstract on the ICML 2018 page (the network
``x -> sum_{i<=k} max{0, w_i . x}``, squared loss, standard Gaussian input, orthonormal
target vectors, spurious local minima once ``6 <= k <= 20``, a computer-assisted proof) was
read; the PMLR volume and pages of the BibTeX entry and the 2021 follow-up's statements were
not verified.  The stationary-point hunt of ``proofs-check stationary --paper ss`` is
declared by the model package (``proofs_check.models.relu_unit_output.hunt.RELU_UNIT_OUTPUT_HUNT``).
"""
from pathlib import Path

from proofs_check.claims.ss.families import FAMILY_RECORD
from proofs_check.models.relu_unit_output.model import RELU_UNIT_OUTPUT
from proofs_check.paper import Paper

PAPER = Paper(
    id="ss",
    title="Spurious Local Minima are Common in Two-Layer ReLU Neural Networks",
    authors=("Itay Safran", "Ohad Shamir"),
    venue="ICML",
    year=2018,
    arxiv="1712.08968",
    bibtex=r"""@inproceedings{safran2018spurious,
  title = {Spurious Local Minima are Common in Two-Layer {ReLU} Neural Networks},
  author = {Safran, Itay and Shamir, Ohad},
  booktitle = {Proceedings of the 35th International Conference on Machine Learning},
  series = {Proceedings of Machine Learning Research},
  volume = {80},
  pages = {4433--4441},
  year = {2018}
}""",
    model=RELU_UNIT_OUTPUT,
    package=__name__,
    template=Path(__file__).with_name("report.tex.j2"),
    claim_order=("ss.spurious_minima",),
    summary="For k = n between 6 and 20, the population loss of a ReLU student against an "
            "orthonormal ReLU teacher has spurious local minima, found by gradient descent "
            "and certified by computer; one extra neuron removes many of them.",
    order=3,
    families=FAMILY_RECORD,
)
