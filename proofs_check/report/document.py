"""The report as data for its templates: verdicts grouped by paper, counted by kind, the
evidence of rejected claims, and how each verdict was decided.

Everything here is read from a results dict that has passed
:func:`proofs_check.schema.validate_results`; nothing is computed that the results do not
show.  The document itself is the template ``templates/report.tex.j2``.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
from dataclasses import dataclass, field
from pathlib import Path

from proofs_check.judgement import KINDS, REJECTED, STATUSES
from proofs_check.paper import with_own_figures
from proofs_check.paper_sections import figures_drawn_by_papers
from proofs_check.report.figure_data import WORST_CASE_SUFFIX
from proofs_check.figure_parsing import parse_decimal
from proofs_check.report.render import environment, tex_number
from proofs_check.schema import ResultsError

__all__ = ["PaperSection", "Evidence", "paper_sections", "evidence", "check_evidence",
           "render_document", "preamble", "model_template"]

#: Name of the template a paper's package may ship for the "model and notation" part.
PAPER_TEMPLATE = "report.tex.j2"

#: What each fit method's interval is, in the words of :mod:`proofs_check.judgement`.
FIT_METHODS = {
    "secant": "the range of the local exponents between consecutive scales of a deterministic"
              " ladder (a description of the data, not a confidence interval)",
    "bootstrap": "the 2.5\\%--97.5\\% quantiles of a two-stage bootstrap of the worst case per"
                 " level (levels, then samples within levels, resampled with replacement)",
}


@dataclass(frozen=True)
class PaperSection:
    """The verdicts of one paper (claim id prefix before the first dot) and, when its
    package ships ``report.tex.j2``, that template rendered as its model subsection."""

    prefix: str
    title: str
    citation: str
    model: str
    verdicts: tuple = field(default_factory=tuple)


def _prefix(claim_id: str) -> str:
    return claim_id.split(".", 1)[0]


def _paper_record(prefix: str):
    """``(paper record or None, path of its report template or None)`` for a claim id prefix.

    A registered paper (``proofs_check.claims.all_papers()``, where that registry exists)
    names its template; otherwise the package ``proofs_check.claims.<prefix>`` may hold a
    ``PAPER`` record and ships ``report.tex.j2`` beside it.  Anything else has no template.
    """
    try:
        from proofs_check.registry import all_papers
    except ImportError:
        all_papers = None
    if all_papers is not None:
        record = all_papers().get(prefix)
        if record is not None:
            template = getattr(record, "template", None)
            return record, (Path(template) if template and Path(template).is_file() else None)
    if not prefix.isidentifier():
        return None, None
    name = f"proofs_check.claims.{prefix}"
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None, None
    if spec is None or not spec.submodule_search_locations:
        return None, None  # a module, not a paper package
    record = getattr(importlib.import_module(name), "PAPER", None)
    template = getattr(record, "template", None)
    path = Path(template) if template else Path(next(iter(spec.submodule_search_locations))) / PAPER_TEMPLATE
    return record, (path if path.is_file() else None)


def model_template(prefix: str, verdicts: list) -> str:
    """The paper's report template rendered with ``paper`` and ``verdicts``; "" without one.

    The papers module's own renderer is used where it exists, so that a paper's template
    sees the same environment wherever it is rendered."""
    record, path = _paper_record(prefix)
    if path is None:
        return ""
    try:
        from proofs_check.paper import render_model_section
    except ImportError:
        render_model_section = None
    if render_model_section is not None and getattr(record, "template", None):
        return render_model_section(record, verdicts)
    return environment().from_string(path.read_text("utf-8")).render(paper=record, verdicts=verdicts)


def paper_sections(claims: list) -> list[PaperSection]:
    """Verdicts grouped by paper, papers in order of their first claim."""
    groups: dict[str, list] = {}
    for claim in claims:
        groups.setdefault(_prefix(claim["id"]), []).append(claim)
    sections = []
    for prefix, verdicts in groups.items():
        record, _ = _paper_record(prefix)
        sections.append(PaperSection(
            prefix, str(getattr(record, "title", "") or ""), str(getattr(record, "citation", "") or ""),
            model_template(prefix, verdicts), tuple(verdicts)))
    return sections


@dataclass(frozen=True)
class Evidence:
    """A witness for display: named parameters and/or a configuration as rows of LaTeX numbers."""

    params: tuple[tuple[str, str], ...] = ()
    teacher: tuple[tuple[str, ...], ...] = ()
    student: tuple[tuple[str, ...], ...] = ()

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(r, m, d)`` of the configuration."""
        return len(self.teacher), len(self.student), len(self.teacher[0]) if self.teacher else 0


def _rows(value, where: str) -> tuple[tuple[str, ...], ...]:
    if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
        raise ResultsError(f"{where} = {str(value)[:60]!r}: must be a non-empty list of rows of decimal strings")
    out = []
    for i, row in enumerate(value):
        cells = [tex_number(parse_decimal(x, f"{where}[{i}][{k}]")) for k, x in enumerate(row)]
        out.append(tuple(cells))
    return tuple(out)


def evidence(data, where: str) -> Evidence | None:
    """A witness or counterexample (``{"teacher", "student"}``, ``{"config", "params"}`` or any
    object of parameters); rows must be rectangular with the teacher's dimension."""
    if data is None:
        return None
    config, params = None, {}
    if "teacher" in data or "student" in data:
        config, cwhere = data, where
    elif "config" in data or "params" in data:
        config, cwhere = data.get("config"), f"{where}.config"
        params = data.get("params") or {}
        if not isinstance(params, dict):
            raise ResultsError(f"{where}.params = {str(params)[:60]!r}: must be an object")
    else:
        params = data
    text = lambda v: v if isinstance(v, str) else json.dumps(v, default=str)
    out = Evidence(tuple((str(k), text(v)) for k, v in params.items()))
    if config is None:
        return out
    if not isinstance(config, dict) or "teacher" not in config or "student" not in config:
        raise ResultsError(f"{cwhere}: a configuration needs 'teacher' and 'student' (lists of rows)")
    teacher = _rows(config["teacher"], f"{cwhere}.teacher")
    student = _rows(config["student"], f"{cwhere}.student")
    d = len(teacher[0])
    for name, rows in (("teacher", teacher), ("student", student)):
        for i, row in enumerate(rows):
            if len(row) != d:
                raise ResultsError(f"{cwhere}.{name} row {i} has {len(row)} entries, but teacher row 0"
                                   f" has {d} (dimension d = {d})")
    return Evidence(out.params, teacher, student)


def _witnesses(claims: list) -> list:
    """``(verdict, Evidence)`` of each refuted or contradicted claim, in order."""
    found = []
    for i, c in enumerate(claims):
        if c["status"] in REJECTED:
            key = "counterexample" if c.get("counterexample") else "worst"
            found.append((c, evidence(c.get(key), f"claims[{i}].{key}")))
    return found


def check_evidence(claims: list) -> None:
    """Raise :class:`ResultsError` (naming the field) if a witness the report shows is malformed."""
    _witnesses(claims)


def _decided(claims: list) -> dict:
    """Which claims were decided how, for the section "How verdicts are decided"."""
    by_kind = {kind: [c for c in claims if c["kind"] == kind] for kind in KINDS}
    methods = {}
    for c in by_kind["empirical"]:
        fit = (c.get("estimate") or {}).get("fit")
        if fit:
            methods.setdefault(fit["method"], []).append(c["id"])
    return {"by_kind": by_kind, "methods": methods, "fit_methods": FIT_METHODS,
            "no_fit": [c["id"] for c in by_kind["empirical"] if not (c.get("estimate") or {}).get("fit")]}


def preamble() -> str:
    """The LaTeX preamble of the report (also used by the tests to compile fragments)."""
    return environment().get_template("preamble.tex.j2").render()


def render_document(results: dict, figures, maths, version: str = "", campaign: dict | None = None) -> str:
    """The complete ``report.tex`` from validated results, the figure entries and the
    symbolic sections."""
    claims = results["claims"]
    found = _witnesses(claims)
    counts = {kind: {s: sum(c["kind"] == kind and c["status"] == s for c in claims) for s in STATUSES}
              for kind in KINDS}
    run = [(k, str(results[k])) for k in ("seed", "samples") if results.get(k) is not None]
    known = {f.key for f in figures}
    return environment().get_template("report.tex.j2").render(
        claims=claims, papers=paper_sections(with_own_figures(claims, results.get("figures"))),
        counts=counts, kinds=KINDS,
        rejected=found, mismatched=[c for c in claims if c["status"] != c["expected"]],
        against=[c for c in claims if c.get("versus_paper") == "against"],
        decided=_decided(claims), figures=figures,
        other_figures=sorted(k for k in (results.get("figures") or {})
                             if k not in known and k not in figures_drawn_by_papers(results.get("figures"))
                             and not (k.endswith(WORST_CASE_SUFFIX) and "worst_case_ladders" in known)),
        maths=maths, run=run, version=version, schema_version=results["schema_version"],
        preamble=preamble(), campaign=campaign,
    )
