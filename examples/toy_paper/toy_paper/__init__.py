"""An example paper plugin: Sheppard's (1899) orthant probability of a bivariate normal.

The whole paper is this package: ``PAPER`` (the record), ``claims.py`` (its claims) and
``report.tex.j2`` (its "model and notation" subsection); its model is the example's own
model package ``toy_model`` (configuration, sampler, strategy).  Registered through the
entry point ``proofs_check.papers`` in ``pyproject.toml``; nothing in proofs-check changes.
"""
from pathlib import Path

from proofs_check.paper import Paper
from toy_model.model import ANGLE_PAIR

PAPER = Paper(
    id="toy",
    title="On the application of the theory of error to cases of normal distribution and normal correlation",
    authors=("W. F. Sheppard",),
    venue="Phil. Trans. R. Soc. A",
    year=1899,
    bibtex=r"""@article{sheppard1899,
  title = {On the application of the theory of error to cases of normal distribution and normal correlation},
  author = {Sheppard, W. F.},
  journal = {Philosophical Transactions of the Royal Society A},
  volume = {192},
  pages = {101--167},
  year = {1899}
}""",
    model=ANGLE_PAIR,
    package=__name__,
    template=Path(__file__).with_name("report.tex.j2"),
)
