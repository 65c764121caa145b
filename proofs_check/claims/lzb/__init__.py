"""Claims of Liu, Zhu, Belkin, "Loss landscapes and optimization in over-parameterized non-linear systems and neural networks" (ACHA 2022; arXiv:2003.00307): the PL* condition.

Sources, as far as they were checked: the abstract (arXiv v2 listing, 26 May 2021) and the
journal record (Applied and Computational Harmonic Analysis 59, pp. 85-116, 2022) were
read; the text of the definitions and theorems was not, so no theorem or page number is
cited, the identity is re-derived here, and the factor-2 convention of PL* is a parameter.
"""
from pathlib import Path

from proofs_check.models.relu_on_data.model import NETWORK_ON_DATA
from proofs_check.paper import Paper

PAPER = Paper(
    id="lzb",
    title="Loss landscapes and optimization in over-parameterized non-linear systems and neural networks",
    authors=("Chaoyue Liu", "Libin Zhu", "Mikhail Belkin"),
    venue="ACHA",
    year=2022,
    arxiv="2003.00307",
    bibtex=r"""@article{liu2022loss,
  title = {Loss landscapes and optimization in over-parameterized non-linear systems and neural networks},
  author = {Liu, Chaoyue and Zhu, Libin and Belkin, Mikhail},
  journal = {Applied and Computational Harmonic Analysis},
  volume = {59},
  pages = {85--116},
  year = {2022}
}""",
    model=NETWORK_ON_DATA,
    package=__name__,
    template=Path(__file__).with_name("report.tex.j2"),
    claim_order=("lzb.identity", "lzb.wide_pl"),
    summary="Over-parameterized systems satisfy PL* (||grad L||^2 >= mu L) wherever the tangent "
            "kernel is well conditioned; wide networks do on a ball around initialisation, "
            "so gradient descent converges linearly.",
    order=2,
)
