"""Claims of Du, Zhai, Poczos, Singh, "Gradient Descent Provably Optimizes Over-parameterized Neural Networks" (ICLR 2019; arXiv:1810.02054): the NTK regime on a finite data set.

Sources, as far as they were checked: the abstract (arXiv listing) and the network
``f(W, a, x) = m^-1/2 sum_r a_r relu(w_r . x)``, Eq. (1) of arXiv v2 (its introduction),
were read in the paper's own text.  The numbers Assumption 3.1, Theorem 3.1 and Theorem 4.1
and the width ``Omega(n^6 / (lambda0^4 delta^3))`` are as secondary sources quote them; no
page number was verified, and the claims' sources say so.
"""
from pathlib import Path

from proofs_check.claims.du.figures import WIDTH_SWEEP
from proofs_check.models.relu_on_data.model import DATA_SET
from proofs_check.paper import Paper

PAPER = Paper(
    id="du",
    title="Gradient Descent Provably Optimizes Over-parameterized Neural Networks",
    authors=("Simon S. Du", "Xiyu Zhai", "Barnabas Poczos", "Aarti Singh"),
    venue="ICLR",
    year=2019,
    arxiv="1810.02054",
    bibtex=r"""@inproceedings{du2019gradient,
  title = {Gradient Descent Provably Optimizes Over-parameterized Neural Networks},
  author = {Du, Simon S. and Zhai, Xiyu and Poczos, Barnabas and Singh, Aarti},
  booktitle = {International Conference on Learning Representations},
  year = {2019}
}""",
    model=DATA_SET,
    package=__name__,
    template=Path(__file__).with_name("report.tex.j2"),
    claim_order=("du.gram", "du.lambda0", "du.gd_rate"),
    summary="With width m = Omega(n^6 / (lambda0^4 delta^3)), gradient descent on the first "
            "layer converges linearly, at the rate set by the least eigenvalue lambda0 of "
            "the limiting Gram matrix H_inf.",
    order=1,
    figures=(WIDTH_SWEEP,),
)
