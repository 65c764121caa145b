"""Papers: the unit in which claims, models and report sections are organised.

A paper is one package under ``proofs_check/claims/`` (or a module there, or a package of
another distribution registered under the entry-point group ``proofs_check.papers``)
whose ``__init__`` defines ``PAPER``, a :class:`Paper`.  Its claim modules are the
package's public submodules that define ``CLAIMS``; its report section's "model and
notation" subsection is the Jinja2 template ``Paper.template`` (LaTeX-safe delimiters,
see :func:`render_model_section`).  Nothing outside the package is paper-specific: the
registry, ``list --paper``, ``run``, ``search``, ``replay`` and the report all go through
this record.

>>> from proofs_check.registry import all_papers
>>> all_papers()["zgj"].citation
'Zhou, Ge, Jin (COLT 2021)'
>>> [part.id for part in all_papers()["zgj"].parts]
['contrast']
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from proofs_check.models import Model
from symbolic.derivation import latex_text

__all__ = ["Hypotheses", "FigureType", "Threshold", "Paper", "template_environment", "render_model_section", "with_own_figures"]


@dataclass(frozen=True)
class Hypotheses:
    """The hypotheses a paper's claims need of a configuration before they are evaluated at it
    (:mod:`proofs_check.hypotheses` asks a claim's paper for them).

    ``keys`` maps each assumption key to what it says; ``required(claim)`` gives the keys a
    claim needs; ``violations(claim, config, dps, max_loss)`` says why ``config`` is outside
    them (empty: inside); ``of_configuration(config)`` the violations that depend on no claim
    (``proofs-check eval`` warns of them), for configurations of type ``configuration``.
    """

    keys: Mapping[str, str]
    required: Callable
    violations: Callable
    configuration: type
    of_configuration: Callable | None = None


@dataclass(frozen=True)
class FigureType:
    """A report figure a paper's claims feed: ``key`` names it in the report (an attribute of
    :class:`proofs_check.report.figure_data.FigureData`, the figure's entry); ``parse(figures)``
    reads its data from a results file's ``figures`` object, ``None`` when they are absent
    (errors name the field, :mod:`proofs_check.figure_parsing`)."""

    key: str
    parse: Callable


@dataclass(frozen=True)
class Threshold:
    """A paper's explicit loss threshold, below which it asserts ``||grad L|| >= kappa L``
    (``proofs-check threshold``, the campaign's teacher constants): ``bound(Delta, w_min,
    w_max, r, dps=30)`` its value (an mpf) from a teacher's constants; ``holds_at(teacher,
    m, level, seed)`` whether the margin optimiser's worst case on ``{L = level}`` satisfies
    the inequality (raises :class:`proofs_check.errors.UsageError` where it cannot run);
    ``claim`` the id of the paper's claim that states the inequality (what a campaign's margin
    optimisation minimises when its spec names no claim)."""

    bound: Callable
    holds_at: Callable
    claim: str = ""


@dataclass(frozen=True)
class Paper:
    """A paper's bibliographic record, its model, its claims and its report template.

    ``id`` is the prefix of its claim ids (``du`` owns ``du.gram``); ``claim_order`` lists
    id prefixes in the paper's order (ids not listed follow in natural order);
    ``cites`` names the papers a contrast record compares (their surnames may stand in
    a claim's source).  ``order`` places a built-in paper in listings and the report
    (``None``: after them, by id).  ``parts`` are further records the paper's package
    owns, each with its own id prefix, template and report section (Zhou-Ge-Jin's
    ``contrast``: the properties its Section 4 says fail); ``list --paper`` shows a paper
    with its parts.  ``hypotheses`` are what its claims need of a configuration
    (:class:`Hypotheses`; ``None``: nothing is checked); ``figures`` the report figures its
    claims' figure data feed (:class:`FigureType`), drawn in the registry's order of papers;
    ``threshold`` its explicit loss threshold (:class:`Threshold`; ``None``: it states none);
    ``families`` the symmetric families ``proofs-check families`` follows for it
    (:class:`proofs_check.families.definitions.PaperFamilies`; ``None``: none).
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
    order: int | None = None
    parts: tuple["Paper", ...] = ()
    hypotheses: Hypotheses | None = None
    figures: tuple[FigureType, ...] = ()
    threshold: Threshold | None = None
    families: object = None

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
