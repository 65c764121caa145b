"""The claim registry: every claim is complete, has a twin, and unknown ids are helpful errors.

Twins come from the ``tests/test_claims_*.py`` modules: ``PLANTED = {claim_id: [callable ->
false Claim, ...]}`` for claims expected to hold (the twin must be reported ``violated``),
and ``HOLDS = {claim_id: [callable -> true Claim, ...]}`` for claims expected ``violated``
(the contrast claims, and claims the checker finds false as printed); such a twin is a
true restriction or correction and must be reported ``holds``.
"""
from __future__ import annotations

import dataclasses
import importlib.util
import re
from pathlib import Path

import pytest

from proofs_check.registry import all_claims, all_papers, get_claim, paper_of
from proofs_check.claim import RELATIONS, STATUSES, Claim
from proofs_check.judgement import ACCEPTED, KINDS, REJECTED, STATUSES_OF_KIND, PaperStatement
from proofs_check.errors import UsageError

TESTS = Path(__file__).parent
ITEM = re.compile(r"\b(Theorem|Lemma|Claim|Corollary|Sec\.|Section|Assumption)\s*[\dA-Z]")
PAGE = re.compile(r"\bp\.\s*\d|\bApp\.\s*[A-F]\b")
ARXIV = re.compile(r"arXiv:\d{4}\.\d{4,5}")


def _twins():
    twins = {}
    for path in sorted(TESTS.glob("test_claims_*.py")):
        spec = importlib.util.spec_from_file_location(f"_registry_twins_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for claim_id, makers in getattr(module, "TWINS", {}).items():
            twins.setdefault(claim_id, []).extend(makers)
    return twins


TWINS = _twins()
CLAIMS = all_claims()


def _balanced_latex(tex: str) -> str | None:
    """``None`` if braces, ``\\left``/``\\right`` and ``\\begin``/``\\end`` balance, else why not."""
    depth = 0
    for i, ch in enumerate(tex):
        if ch in "{}" and i and tex[i - 1] == "\\":
            continue  # \{ and \} are literal braces
        depth += ch == "{"
        depth -= ch == "}"
        if depth < 0:
            return f"unmatched '}}' at {i}"
    if depth:
        return f"{depth} unclosed '{{'"
    if len(re.findall(r"\\left\b", tex)) != len(re.findall(r"\\right\b", tex)):
        return "\\left/\\right do not pair"
    begins = re.findall(r"\\begin\{(\w+\*?)\}", tex)
    ends = re.findall(r"\\end\{(\w+\*?)\}", tex)
    if sorted(begins) != sorted(ends):
        return f"\\begin{begins} vs \\end{ends}"
    if tex.count("$") % 2:
        return "odd number of $"
    return None


def _names_its_paper(claim_id: str, source: str) -> bool:
    """The source cites the claim's paper (or, for a contrast record, one it compares) by
    its surnames and venue-year, as ``Paper.citation`` does."""
    papers = all_papers()
    paper = paper_of(claim_id)
    cited = [paper] if paper.authors else [papers[p] for p in paper.cites if p in papers]
    return any(", ".join(p.surnames) in source and f"{p.venue} {p.year}" in source for p in cited)


def test_registry_is_not_empty():
    assert "zgj.thm4" in CLAIMS and "contrast.pl" in CLAIMS


@pytest.mark.parametrize("claim_id", list(CLAIMS))
def test_claim_metadata_complete(claim_id):
    c = CLAIMS[claim_id]
    assert isinstance(c, Claim) and c.id == claim_id
    assert c.title.strip(), "empty title"
    assert _names_its_paper(claim_id, c.source), f"source {c.source!r} does not name the paper"
    if paper_of(claim_id).id in ("zgj", "contrast"):  # read in full: item and page are known
        assert ITEM.search(c.source), f"source {c.source!r} names no theorem/lemma/claim/section"
        assert PAGE.search(c.source), f"source {c.source!r} gives no page (p.N) or appendix"
    else:  # known from secondary sources: the arXiv id, and an item or the abstract
        assert ARXIV.search(c.source), f"source {c.source!r} gives no arXiv id"
        assert ITEM.search(c.source) or "abstract" in c.source or "re-derived" in c.source, (
            f"source {c.source!r} names no theorem, section, abstract or re-derivation")
    for field in ("statement", "lhs", "rhs"):
        tex = getattr(c, field)
        assert tex.strip(), f"empty {field}"
        problem = _balanced_latex(tex)
        assert problem is None, f"{field} LaTeX: {problem}: {tex!r}"
    assert c.hypotheses.strip(), "empty hypotheses"
    assert _balanced_latex(c.hypotheses) is None
    assert c.relation in RELATIONS
    assert c.expected in STATUSES
    # exactly one kind, the tool's expectation one of its statuses, and the paper's statement
    assert c.kind in KINDS, f"kind {c.kind!r}"
    assert c.expected in STATUSES_OF_KIND[c.kind] + ("refuted",), f"expected {c.expected!r} for kind {c.kind}"
    assert isinstance(c.paper, PaperStatement), "no record of what the paper states (paper=PaperStatement(...))"
    assert c.paper.says in ("holds", "fails", "silent") and (c.paper.says == "silent" or c.paper.detail.strip())
    if c.judge is None and c.kind == "checked":
        assert c.drawn_from.strip(), "a checked claim says where its instances are drawn (drawn_from)"
    if c.judge is None and c.constant is None and c.relation != "==":
        assert c.kind == "empirical", "a hidden constant is judged on a fit: kind empirical"
    if c.relation == "==" and c.kind == "proved":
        assert c.symbolic_proof is not None, "an identity is proved only by exact algebra"
    assert "certified" not in c.title.lower() or c.kind == "proved", (
        f"title {c.title!r} says certified for a result of kind {c.kind}")
    assert dataclasses.is_dataclass(c.settings) or c.settings is None, "settings must be a frozen dataclass"
    if c.constant is None and c.relation in (">=", "<=", "Theta") and c.judge is None:
        assert c.paper_exponent is not None, "hidden constant judged by exponent needs paper_exponent"


@pytest.mark.parametrize("claim_id", list(CLAIMS))
def test_every_claim_has_a_twin_of_the_other_side(claim_id):
    """Accepted or inconclusive claims need a twin that must be rejected; rejected claims one
    that must be accepted."""
    expected = [maker().expected for maker in TWINS.get(claim_id, [])]
    wanted = ACCEPTED if CLAIMS[claim_id].expected in REJECTED else REJECTED
    assert any(e in wanted for e in expected), (
        f"{claim_id}: no twin expected {' or '.join(wanted)} in tests/test_claims_*.py (has {expected})")


@pytest.mark.parametrize("claim_id", [c for c, claim in CLAIMS.items()
                                      if claim.relation == "Theta" and claim.constant is None])
def test_two_sided_shape_claims_have_twins_two_resolutions_away_on_both_sides(claim_id):
    """Theta claims: the exponent moved by twice the declared resolution, on each side, must be
    rejected (the twins at the boundary, not only far ones)."""
    claim = CLAIMS[claim_id]
    shifts = set()
    for maker in TWINS.get(claim_id, []):
        twin = maker()
        if twin.expected in REJECTED and twin.paper_exponent is not None:
            shifts.add(round(float(twin.paper_exponent - claim.paper_exponent) / twin.fit.resolution, 6))
    if claim.expected in REJECTED:  # a false claim: its correction carries the boundary twins
        return
    assert {-2.0, 2.0} <= shifts, f"{claim_id}: boundary twins at +-2 resolutions missing (shifts {shifts})"


def test_twins_name_registered_claims():
    unknown = sorted(set(TWINS) - set(CLAIMS))
    assert not unknown, f"twins for unregistered ids: {unknown}"


def _all_twins():
    return [pytest.param(claim_id, maker, id=f"{claim_id}:{getattr(maker, '__name__', 'twin')}")
            for claim_id, makers in sorted(TWINS.items()) for maker in makers]


#: Twins far from the truth (an exponent 0.17 or more off), checked on a sub-ladder of 5 levels
#: 1e-2 ... 1e-14 of one shape (``samples=5``): 2-3 s each instead of a full ladder.
FAST_SAMPLES = {"lemma9_exponent_too_strong": 5, "lemma10_exponent_too_strong": 5,
                "lemma12_exponent_too_strong": 5, "c6_exponent_too_strong": 5}


@pytest.mark.parametrize("claim_id, maker", _all_twins())
def test_twin_gets_the_status_it_states(claim_id, maker):
    """Every twin, in the default run: the status it states (near twins at the claim's own
    samples, sharing its cached worst-case ladders; far ones on a short ladder)."""
    twin = maker()
    assert isinstance(twin, Claim) and twin.id == claim_id
    v = twin.check(samples=FAST_SAMPLES.get(maker.__name__))
    assert v.status == twin.expected, f"{claim_id} twin {maker.__name__}: {v.status} ({v.shown})"
    if v.status in REJECTED:
        assert v.counterexample, "a rejected verdict carries its counterexample or witness"


def test_unknown_id_is_a_usage_error_with_suggestion():
    with pytest.raises(UsageError, match=r"did you mean zgj\.thm4\?"):
        get_claim("zgj.thm44")
    with pytest.raises(UsageError, match="proofs-check list"):
        get_claim("no.such.claim.anywhere")
