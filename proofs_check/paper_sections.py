"""The papers' part of the report: the verdicts of a results file grouped by paper, each
paper's template rendered with its own verdicts, and which figure data the templates draw.

>>> sections = render_paper_sections({"claims": [{"id": "du.gram", "status": "checked"}]})
>>> [(paper.id, [v["id"] for v in verdicts]) for paper, _, verdicts in sections]
[('du', ['du.gram'])]
"""
from __future__ import annotations

from pathlib import Path

from proofs_check.paper import render_model_section, with_own_figures
from proofs_check.registry import all_papers, paper_of

__all__ = ["render_paper_sections", "figures_drawn_by_papers"]


def figures_drawn_by_papers(figures: dict | None) -> set:
    """The keys of ``figures`` that a paper's template draws: keyed by one of the paper's
    claim ids and named in its template (``v["figures"]["ss.spurious_minima"]``)."""
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
    grouped = {}
    for verdict in with_own_figures(results.get("claims", []), results.get("figures")):
        paper = paper_of(verdict.get("id", ""))
        if paper is not None:
            grouped.setdefault(paper.id, []).append(verdict)
    return [(paper, render_model_section(paper, grouped[pid]), grouped[pid])
            for pid, paper in all_papers().items() if pid in grouped]
