"""A paper is a package: its parts (contrast in zgj), its hypotheses and its figures are
declared on its record, and the shared modules ask the record instead of naming ids."""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

import proofs_check.registry as registry
from numeric.config import Configuration
from proofs_check.cli import main
from proofs_check.hypotheses import (configuration_violations, hypothesis_violations, hypotheses_of,
                                     required_assumptions)
from proofs_check.paper import FigureType, Paper
from proofs_check.report.figure_data import FigureData, figure_keys

ROOT = Path(__file__).parent.parent
TEMPLATE = ROOT / "proofs_check" / "claims" / "zgj" / "report.tex.j2"


def test_contrast_is_a_part_of_zgj_with_its_ids_and_section_unchanged():
    zgj = registry.get_paper("zgj")
    assert [part.id for part in zgj.parts] == ["contrast"]
    assert zgj.parts[0] is registry.get_paper("contrast")
    assert registry.paper_of("contrast.pl").id == "contrast"
    assert list(registry.claims_by_paper()["contrast"]) == ["contrast.pl", "contrast.strong_convexity"]
    assert registry.get_claim("contrast.strong_convexity").id == "contrast.strong_convexity"
    # The report's order of papers: the part keeps its own place after ss.
    assert list(registry.all_papers())[:5] == ["zgj", "du", "lzb", "ss", "contrast"]


def test_list_paper_zgj_shows_its_part_and_list_paper_contrast_the_part_alone(capsys):
    assert main(["list", "--paper", "zgj"]) == 0
    out = capsys.readouterr().out
    heads = [line.split(":")[0] for line in out.splitlines() if line and not line.startswith(" ")]
    assert heads == ["zgj", "contrast"] and "contrast.pl" in out and "zgj.thm4" in out
    assert main(["list", "--paper", "contrast"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("contrast:") and "contrast.pl" in out and "zgj." not in out


def _fake_package(monkeypatch, claim_id: str, parts=()):
    """A built-in-like paper module ``fakezz`` whose package holds one claim ``claim_id``."""
    from proofs_check.claim import Claim

    module = ModuleType("fakezz")
    module.PAPER = Paper(id="fakezz", title="t", authors=(), venue="v", year=1, bibtex="", model=None,
                         package="fakezz", template=TEMPLATE, parts=tuple(parts))
    module.CLAIMS = (Claim(id=claim_id, title="", source="", statement="", hypotheses="", lhs="", rhs="",
                           relation=">=", expected="checked", observe=lambda c, r: iter(()), constant=1),)
    real = registry._paper_modules
    monkeypatch.setattr(registry, "_paper_modules", lambda: [*real(), module])
    registry._registry.cache_clear()


def test_a_claim_under_a_part_prefix_is_registered_there(monkeypatch):
    part = Paper(id="fakezzpart", title="p", authors=(), venue="", year=1, bibtex="", model=None,
                 package="fakezz", template=TEMPLATE, order=99)
    _fake_package(monkeypatch, "fakezzpart.one", parts=(part,))
    try:
        assert registry.paper_of("fakezzpart.one").id == "fakezzpart"
        assert registry.claims_by_paper()["fakezz"] == {}
    finally:
        registry._registry.cache_clear()


@pytest.mark.parametrize("claim_id", ["fakezzpar.one", "fakezzparts.one", "fakezzpart"])
def test_a_claim_whose_prefix_is_a_near_miss_of_the_part_is_refused(monkeypatch, claim_id):
    part = Paper(id="fakezzpart", title="p", authors=(), venue="", year=1, bibtex="", model=None,
                 package="fakezz", template=TEMPLATE)
    _fake_package(monkeypatch, claim_id, parts=(part,))
    try:
        with pytest.raises(RuntimeError, match="does not start with its paper's id 'fakezz' or 'fakezzpart'"):
            registry.all_papers()
    finally:
        registry._registry.cache_clear()


def test_the_registered_claims_hypotheses_come_from_their_paper():
    lemma8, gram = registry.get_claim("zgj.lemma8"), registry.get_claim("du.gram")
    assert hypotheses_of(lemma8) is registry.get_paper("zgj").hypotheses
    assert hypotheses_of(registry.get_claim("contrast.pl")) is registry.get_paper("zgj").hypotheses
    assert required_assumptions(lemma8) == ("nonzero_teachers", "separated_teachers", "sublevel",
                                            "positive_loss")
    assert hypotheses_of(gram) is None and required_assumptions(gram) == ()


@dataclass(frozen=True)
class _UserSettings:
    assumptions: tuple = ()


def _user_claim(keys):
    from proofs_check.claim import Claim

    return Claim(id="user.mine", title="", source="", statement="", hypotheses="", lhs="", rhs="",
                 relation=">=", expected="checked", observe=lambda c, r: iter(()), constant=1,
                 settings=_UserSettings(tuple(keys)))


def test_a_user_claims_declared_keys_are_decided_by_the_paper_that_knows_them():
    parallel = Configuration([[1, 0], [2, 0]], [[1, 0], [0, 1]])
    near = Configuration([[1, 0], [2, "1e-30"]], [[1, 0], [0, 1]])  # the near miss: not parallel
    claim = _user_claim(["separated_teachers"])
    assert hypotheses_of(claim) is registry.get_paper("zgj").hypotheses
    assert any("parallel" in v for v in hypothesis_violations(claim, parallel))
    assert hypothesis_violations(claim, near) == []
    assert hypothesis_violations(_user_claim([]), parallel) == []  # names none: checked under none
    with pytest.raises(ValueError, match=r"unknown assumption\(s\) \['separated_teacher'\]"):
        hypotheses_of(_user_claim(["separated_teacher"]))


def test_eval_warnings_come_from_the_papers_configuration_checks():
    zero = Configuration([[0, 0], [1, 0]], [[1, 0], [0, 1]])
    assert configuration_violations(zero) == [
        "teacher row 0 is the zero vector: Assumption 2 needs ||w*_i|| >= w_min > 0"]
    assert configuration_violations(Configuration([["1e-30", 0], [1, 1]], [[1, 0], [0, 1]])) == []


def test_figure_data_asks_the_papers_for_their_figures(monkeypatch):
    assert figure_keys()[-3:] == ("du_gd_rate", "pl_contrast", "worst_case_ladders")
    seen = []
    extra = FigureType(key="fakezz_figure", parse=lambda figures: seen.append(1) or figures.get("fakezz.x"))
    paper = Paper(id="fakezz", title="t", authors=(), venue="v", year=1, bibtex="", model=None,
                  package="fakezz", template=TEMPLATE, figures=(extra,))
    module = ModuleType("fakezz")
    module.PAPER = paper
    real = registry._paper_modules
    monkeypatch.setattr(registry, "_paper_modules", lambda: [*real(), module])
    registry._registry.cache_clear()
    try:
        data = FigureData.from_json({"fakezz.x": {"a": 1}})
        assert seen and data.fakezz_figure == {"a": 1} and data.available() == ("fakezz_figure",)
        assert FigureData.from_json({"fakezz.y": {}}).fakezz_figure is None
        with pytest.raises(AttributeError):
            data.no_such_figure
    finally:
        registry._registry.cache_clear()


#: Shared modules this branch owns; the ids below must not appear in their code.
_SHARED = ("registry.py", "paper.py", "paper_sections.py", "claim.py", "claim_judgement.py", "verdict.py",
           "hypotheses.py", "figure_parsing.py", "suite.py", "report/figure_data.py")
_IDS = ("zgj", "du.", "lzb", "ss.", "contrast")


def _code_strings(path: Path) -> list[str]:
    """String constants of a module that are not docstrings (doctests may show real ids)."""
    tree = ast.parse(path.read_text())
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docs.add(id(body[0].value))
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]


@pytest.mark.parametrize("module", _SHARED)
def test_shared_modules_name_no_paper_or_claim_id(module):
    strings = _code_strings(ROOT / "proofs_check" / module)
    assert not [s for s in strings if s.startswith(_IDS)], module


def test_the_id_scan_sees_an_id_in_code_but_not_in_a_docstring(tmp_path):
    path = tmp_path / "m.py"
    path.write_text('"""zgj.thm4 in a docstring"""\nORDER = ("zgj", "du")\n')
    assert [s for s in _code_strings(path) if s.startswith(_IDS)] == ["zgj"]
    path.write_text('"""zgj.thm4 in a docstring"""\nORDER = ("x", "y")\n')
    assert [s for s in _code_strings(path) if s.startswith(_IDS)] == []
