"""Papers: the unit in which claims, models and report sections are organised.

A paper is one package under ``proofs_check/claims/`` (or a module there, or a package of
another distribution registered under the entry-point group ``proofs_check.papers``)
whose ``__init__`` defines ``PAPER``, a :class:`Paper`.  Its claim modules are the
package's public submodules that define ``CLAIMS``; its report section's "model and
notation" subsection is the Jinja2 template ``Paper.template`` (LaTeX-safe delimiters,
see :func:`render_model_section`).  Nothing outside the package is paper-specific: the
registry, ``list --paper``, ``run``, ``search``, ``replay`` and the report all go through
this record.

>>> from proofs_check.claims import all_papers
>>> all_papers()["zgj"].citation
'Zhou, Ge, Jin (COLT 2021)'
>>> all_papers()["zgj"].claim_ids()[0]
'zgj.thm4'
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from proofs_check.models import Model
from symbolic.derivation import latex_text

__all__ = ["Paper", "template_environment", "render_model_section", "render_paper_sections",
           "with_own_figures", "figures_drawn_by_papers"]


@dataclass(frozen=True)
class Paper:
    """A paper's bibliographic record, its model, its claims and its report template.

    ``id`` is the prefix of its claim ids (``du`` owns ``du.gram``); ``claim_order`` lists
    id prefixes in the paper's order (ids not listed follow in natural order);
    ``cites`` names the papers a contrast record compares (their surnames may stand in
    a claim's source).
    """

    id: str
    title: str
    authors: tuple[str, ...]
    venue: str
    year: int
    bibtex: str
    model: Model | None
    package: str
    template: Path
    claim_order: tuple[str, ...] = ()
    arxiv: str = ""
    cites: tuple[str, ...] = ()
    summary: str = ""

    def __post_init__(self):
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.id):
            raise ValueError(f"paper id {self.id!r} must be lower-case letters, digits or '_'")
        if not Path(self.template).is_file():
            raise ValueError(f"paper {self.id}: report template {self.template} does not exist")

    @property
    def surnames(self) -> tuple[str, ...]:
        return tuple(a.split()[-1] for a in self.authors)

    @property
    def citation(self) -> str:
        """``Du, Zhai, Poczos, Singh (ICLR 2019)``: how sources and tables name the paper."""
        if not self.authors:
            return self.title
        return f"{', '.join(self.surnames)} ({self.venue} {self.year})"

    def claim_ids(self) -> tuple[str, ...]:
        """The ids of this paper's registered claims, in the paper's order."""
        from proofs_check.claims import claims_by_paper

        return tuple(claims_by_paper().get(self.id, {}))

    def order_key(self, claim_id: str):
        """Sort key: position of the longest listed prefix, then natural order (lemma9 < lemma10)."""
        rank = len(self.claim_order)
        for i, prefix in enumerate(self.claim_order):
            if claim_id == prefix or claim_id.startswith(prefix + ".") or (
                    prefix.endswith(".") and claim_id.startswith(prefix)):
                rank = i
        natural = tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", claim_id))
        return (rank, natural)

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "authors": list(self.authors),
                "venue": self.venue, "year": self.year, "arxiv": self.arxiv,
                "citation": self.citation, "bibtex": self.bibtex}


def template_environment():
    r"""The Jinja2 environment for report templates: ``\BLOCK{...}`` statements,
    ``\VAR{...}`` expressions, ``\#{...}`` comments, ``trim_blocks``, no autoescape, and
    the ``tex`` filter that escapes plain text (keeping ``$...$`` as mathematics)."""
    import jinja2

    env = jinja2.Environment(
        block_start_string=r"\BLOCK{", block_end_string="}",
        variable_start_string=r"\VAR{", variable_end_string="}",
        comment_start_string=r"\#{", comment_end_string="}",
        trim_blocks=True, lstrip_blocks=True, autoescape=False,
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
    )
    env.filters["tex"] = latex_text
    return env


def render_model_section(paper: Paper, verdicts: list) -> str:
    """The paper's "model and notation" subsection: its template rendered with ``paper``
    and ``verdicts`` (the paper's verdict JSON dicts, in order)."""
    env = template_environment()
    template = env.from_string(Path(paper.template).read_text(encoding="utf-8"))
    return template.render(paper=paper, verdicts=list(verdicts))


def with_own_figures(verdicts: list, figures: dict | None) -> list:
    """The verdict dicts, each with the figure data keyed by its own claim id put back.

    A results file keeps figure data at its top level (``figures``); the papers' templates
    read a claim's figure from its verdict (``v["figures"][claim id]``)."""
    figures = figures or {}
    out = []
    for verdict in verdicts:
        own = {k: f for k, f in figures.items() if k == verdict.get("id")}
        out.append(dict(verdict, figures=own) if own and not verdict.get("figures") else verdict)
    return out


def figures_drawn_by_papers(figures: dict | None) -> set:
    """The keys of ``figures`` that a paper's template draws: keyed by one of the paper's
    claim ids and named in its template (``v["figures"]["ss.spurious_minima"]``)."""
    from proofs_check.claims import paper_of

    drawn = set()
    for key in figures or {}:
        paper = paper_of(key)
        if paper is not None and f'"{key}"' in Path(paper.template).read_text(encoding="utf-8"):
            drawn.add(key)
    return drawn


def render_paper_sections(results: dict) -> list:
    """``[(paper, model-and-notation LaTeX, verdicts), ...]`` for a results dict of the suite:
    the verdicts grouped by paper in the registry's order (papers without verdicts and user
    claims are left out), each paper's template rendered with its own verdicts."""
    from proofs_check.claims import all_papers, paper_of

    grouped = {}
    for verdict in with_own_figures(results.get("claims", []), results.get("figures")):
        paper = paper_of(verdict.get("id", ""))
        if paper is not None:
            grouped.setdefault(paper.id, []).append(verdict)
    return [(paper, render_model_section(paper, grouped[pid]), grouped[pid])
            for pid, paper in all_papers().items() if pid in grouped]
