"""Papers as packages: discovery (built-in and entry-point plugins), `list --paper`, and every
paper's report template."""
from __future__ import annotations

import json
from fractions import Fraction
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

import proofs_check.registry as registry
from proofs_check.cli import main
from proofs_check.errors import UsageError
from proofs_check.paper import Paper, render_model_section, template_environment

TOY = Path(__file__).parent.parent / "examples" / "toy_paper"


def test_builtin_papers_in_order_with_their_claims():
    papers = registry.all_papers()
    assert list(papers)[:5] == ["zgj", "du", "lzb", "ss", "contrast"]
    by_paper = registry.claims_by_paper()
    assert "du.lambda0" in by_paper["du"] and "lzb.wide_pl" in by_paper["lzb"]
    assert "ss.spurious_minima" in by_paper["ss"] and "contrast.pl" in by_paper["contrast"]
    assert registry.paper_of("zgj.thm4").id == "zgj" and registry.paper_of("nope") is None
    assert list(registry.all_claims())[0] == "zgj.thm4"


def test_every_claim_id_starts_with_its_papers_id():
    for pid, claims in registry.claims_by_paper().items():
        assert claims and all(cid.startswith(pid + ".") for cid in claims)


def test_plugin_paper_is_discovered_listed_and_run(plugin, capsys):
    assert "toy" in registry.all_papers()
    assert main(["list", "--paper", "toy"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("toy: Sheppard (Phil. Trans. R. Soc. A 1899)") and "toy.sheppard" in out
    assert "zgj.thm4" not in out
    claim = registry.get_claim("toy.sheppard")
    assert claim.check().status == "checked"
    assert claim.variant(settings={"factor": Fraction(101, 100)}).check().status == "refuted"


def test_broken_plugin_is_a_usage_error(monkeypatch):
    eps = [EntryPoint(name="bad", value="no_such_module_anywhere", group=registry.ENTRY_POINT_GROUP)]
    monkeypatch.setattr(registry, "entry_points", lambda group: eps)
    registry._registry.cache_clear()
    try:
        with pytest.raises(UsageError, match="paper plugin 'bad'.*failed to import"):
            registry.all_papers()
    finally:
        registry._registry.cache_clear()


def test_list_groups_by_paper_and_filters(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    heads = [line.split(":")[0] for line in out.splitlines() if line and not line.startswith(" ")]
    assert heads == list(registry.all_papers())
    assert main(["list", "--paper", "du"]) == 0
    out = capsys.readouterr().out
    assert "du.gd_rate" in out and "zgj." not in out
    assert main(["list", "--paper", "dz"]) == 2
    assert "--paper = 'dz' is not a registered paper" in capsys.readouterr().err


@pytest.mark.parametrize("paper_id", list(registry.all_papers()))
def test_each_template_renders_with_its_verdicts(paper_id):
    paper = registry.get_paper(paper_id)
    # Verdict JSON carries "figures" only when a claim has some.
    verdicts = [{"id": cid, "status": c.expected} for cid, c in registry.claims_by_paper()[paper_id].items()]
    tex = render_model_section(paper, verdicts)
    assert tex.lstrip().startswith(r"\subsection{Model and notation}")
    assert "\\VAR{" not in tex and "\\BLOCK{" not in tex and "\\#{" not in tex
    assert tex.count("{") == tex.count("}") and tex.count("$") % 2 == 0


def test_templates_render_the_suites_own_verdicts():
    """The du and ss sections read their figure data from real verdicts."""
    du = registry.get_claim("du.gd_rate").check(samples=2).to_json()
    tex = render_model_section(registry.get_paper("du"), [du])
    assert "smallest width at which every sampled run kept the rate" in tex


def test_sections_group_a_results_file_by_paper():
    from proofs_check.paper_sections import render_paper_sections

    results = {"claims": [{"id": "lzb.identity", "status": "checked"},
                          {"id": "zgj.thm4", "status": "consistent"},
                          {"id": "user.mine", "status": "checked"},
                          {"id": "lzb.wide_pl", "status": "consistent"}]}
    sections = render_paper_sections(results)
    assert [(p.id, [v["id"] for v in vs]) for p, _, vs in sections] == [
        ("zgj", ["zgj.thm4"]), ("lzb", ["lzb.identity", "lzb.wide_pl"])]
    assert all(tex.lstrip().startswith(r"\subsection{Model and notation}") for _, tex, _ in sections)


def test_templates_use_figures_when_present():
    ss = registry.get_paper("ss")
    row = {"n": 8, "starts": 4, "global_count": 3, "stationary": 1, "loss": "0.0215",
           "min_eigenvalue": "0.0213", "escape": "-0.0339"}
    tex = render_model_section(ss, [{"id": "ss.spurious_minima",
                                     "figures": {"ss.spurious_minima": {"rows": [row]}}}])
    assert "8 & 4 & 3 & 1 & 0.0215 & 0.0213 & -0.0339" in tex


def test_paper_record_is_validated(tmp_path):
    with pytest.raises(ValueError, match="lower-case"):
        Paper(id="Du", title="t", authors=(), venue="v", year=1, bibtex="", model=None,
              package="x", template=Path(__file__))
    with pytest.raises(ValueError, match="does not exist"):
        Paper(id="du2", title="t", authors=(), venue="v", year=1, bibtex="", model=None,
              package="x", template=tmp_path / "missing.tex.j2")
    tex = template_environment().from_string(r"\VAR{x|tex}").render(x="50% of a_b, $a_b$")
    assert tex == r"50\% of a\_b, $a_b$"


# ---- search and replay on a paper's own configuration type -----------------------------------

def test_search_finds_the_planted_lambda0_twin_and_replay_confirms_it(tmp_path):
    from proofs_check.search import replay, search

    result = search("du.lambda0", claim_ref="du.lambda0", max_examples=40, seed=0,
                    save_dir=tmp_path, json_path=tmp_path / "best.json")
    assert not result.found  # the paper's claim: lambda0 > 0
    twin = registry.get_claim("du.lambda0").variant(constant=Fraction(11, 10))
    result = search(twin, claim_ref="du.lambda0", max_examples=60, seed=0, save_dir=tmp_path)
    assert result.found
    saved = tmp_path / "du.lambda0.json"
    assert saved.exists()
    again = replay(saved)
    assert again.counterexample and again.dps == 2 * result.best.dps
    assert again.agreeing_digits >= 15


def test_replay_of_a_model_claim_names_a_bad_config(tmp_path):
    from proofs_check.search import replay

    bad = tmp_path / "bad.json"
    bad.write_text('{"claim": "du.lambda0", "dps": 30, "config": {"points": [[1, 0]], "labels": []}}')
    with pytest.raises(UsageError, match="bad.json: field 'config': labels has 0 entries"):
        replay(bad)


def test_replay_of_a_bare_data_set_needs_a_claim(tmp_path):
    from proofs_check.search import replay

    bare = tmp_path / "bare.json"
    bare.write_text('{"points": [[1, 0], ["0.6", "0.8"]], "labels": [1, 0]}')
    with pytest.raises(UsageError, match="bare.json names no claim.*pass --claim ID"):
        replay(bare)
    assert not replay(bare, claim="du.lambda0").counterexample


# ---- what search shows for a claim without a loss level ------------------------------------

def test_search_on_a_data_set_claim_shows_its_own_scale_never_nan(tmp_path, capsys):
    """du's claims are judged on data sets: the summary and the progress name the smallest
    input angle (the model's scale) and its range, not "loss levels [nan, nan]"."""
    code = main(["search", "du.lambda0", "--constant", "1.1", "--max-examples", "30", "--seed", "0",
                 "--save-dir", "none", "--json", str(tmp_path / "best.json")])
    captured = capsys.readouterr()
    assert code == 1
    assert "nan" not in captured.out.lower() and "nan" not in captured.err.lower()
    assert "level None" not in captured.out and "family None" not in captured.out
    line = next(s for s in captured.out.splitlines() if s.startswith("evaluated"))
    assert "no loss level; smallest input angle theta_min of the examples in [" in line
    lo, hi = (float(x) for x in line.rsplit("[", 1)[1].rstrip("]").split(", "))
    assert 0 < lo <= hi <= 3.1416  # angles between inputs
    assert "(smallest input angle theta_min " in captured.err  # the progress line
    best = json.loads((tmp_path / "best.json").read_text())
    assert best["level"] is None and lo <= float(best["scale"]) <= hi


def test_search_says_plainly_when_a_claim_has_no_scale(capsys):
    from proofs_check.search import search

    result = search("lzb.identity.bound", max_examples=4, seed=0)
    assert result.scale_name is None and result.min_loss is None
    assert result.range_text() == "no loss level (the claim's examples have no scale variable)"
    assert result.to_json()["loss_range"] is None and result.to_json()["scale"] == {"name": None, "range": None}
    assert main(["search", "lzb.identity.bound", "--max-examples", "4", "--seed", "0", "--save-dir", "none"]) == 0
    out = capsys.readouterr().out
    assert "nan" not in out.lower() and "no loss level (the claim's examples have no scale variable)" in out


def test_search_json_to_stdout_for_a_data_set_claim_writes_no_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["search", "du.lambda0", "--max-examples", "4", "--seed", "0", "--save-dir", "none",
                 "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["claim_id"] == "du.lambda0"
    assert not (tmp_path / "-").exists()


def test_teacher_student_search_still_reports_loss_levels():
    from proofs_check.search import SearchResult

    r = SearchResult("zgj.thm4", "zgj.thm4", None, 0, 0, 1, 1e-24, 1e-2)
    assert r.range_text() == "loss levels [1e-24, 0.01]"  # as before the fix
    assert r.to_json()["loss_range"] == ["1e-24", "0.01"]


# ---- a plugin paper's own stationary-point model --------------------------------------------

_HUNT_PLUGIN = '''
"""A plugin paper whose model is a tilted double well per parameter: minima near +-1."""
from pathlib import Path
from dataclasses import dataclass

import numpy as np
from flint import arb

from proofs_check.landscape import HuntModel
from proofs_check.models import Model
from proofs_check.paper import Paper


@dataclass(frozen=True)
class Wells:
    n: int

    def loss_gradient64(self, x):
        return float(((x * x - 1) ** 2 + x / 10).sum()), 4 * x * (x * x - 1) + 0.1

    def hessian64(self, x):
        return np.diag(12 * x * x - 4)

    def ball_loss(self, x):
        return sum(((v * v - 1) ** 2 + v / 10 for v in x), arb(0)) + 1

    def ball_gradient_hessian(self, x):
        g = [4 * v * (v * v - 1) + arb(1) / 10 for v in x]
        return g, [[12 * v * v - 4 if i == j else arb(0) for j in range(self.n)] for i, v in enumerate(x)]

    def snap(self, x):
        return x


HUNT = HuntModel(id="wells.tilted", description="tilted double wells", activations=("abs",),
                 build=lambda teacher, m, activation: Wells(m * len(teacher[0])),
                 starts=lambda model, count, seed: [("grid", np.full(model.n, t))
                                                    for t in np.linspace(-1.3, 1.3, count)],
                 symmetry_key=lambda model, x: (tuple(np.round(x, 5)), None))

PAPER = Paper(id="wells", title="Wells", authors=("A. Nonymous",), venue="Nowhere", year=2024,
              bibtex="", package=__name__, template=Path(__file__).with_name("report.tex.j2"),
              model=Model(name="double wells", configuration=dict, loss="f", hunts=(HUNT,)))
'''


def test_a_plugin_papers_hunt_model_runs_through_stationary(tmp_path, monkeypatch, capsys):
    """Adding a paper with its own stationary model touches no shared file: the plugin
    declares the model and `stationary --paper wells` runs the shared hunt on it."""
    package = tmp_path / "wells_paper"
    package.mkdir()
    (package / "__init__.py").write_text(_HUNT_PLUGIN)
    (package / "report.tex.j2").write_text("\\subsection{Model and notation}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    eps = [EntryPoint(name="wells", value="wells_paper", group=registry.ENTRY_POINT_GROUP)]
    monkeypatch.setattr(registry, "entry_points",
                        lambda group: eps if group == registry.ENTRY_POINT_GROUP else [])
    registry._registry.cache_clear()
    try:
        out = tmp_path / "wells.json"
        assert main(["stationary", "--paper", "wells", "--orthonormal", "1", "--students", "1",
                     "--starts", "5", "--no-progress", "--json", str(out)]) == 0
        data = json.loads(out.read_text())
        kinds = sorted(p["kind"] for p in data["points"])
        # f = (x^2 - 1)^2 + x/10 + 1: descent from the grid ends at its two minima (near -1, +1).
        assert data["model"] == "wells.tilted" and kinds == ["minimum", "minimum"]
        assert all(p["certified"] for p in data["points"])
        assert "model wells.tilted" in capsys.readouterr().out
    finally:
        registry._registry.cache_clear()


def test_a_results_file_s_figures_reach_the_papers_templates():
    """`run --json` keeps figure data at the top level; the ss table must still render."""
    from proofs_check.paper_sections import render_paper_sections

    row = {"n": 6, "starts": 3, "global_count": 2, "stationary": 1, "loss": "0.025080581",
           "min_eigenvalue": "0.0047003547", "escape": "-0.036042782"}
    results = {"claims": [{"id": "ss.spurious_minima", "status": "proved"}],
               "figures": {"ss.spurious_minima": {"kind": "table", "rows": [row]}}}
    (paper, tex, verdicts), = render_paper_sections(results)
    assert paper.id == "ss" and "6 & 3 & 2 & 1 & 0.025080581 & 0.0047003547 & -0.036042782" in tex
    results["figures"] = {"du.gd_rate": {"rows": []}}  # another claim's figure is not attached
    (_, tex, _), = render_paper_sections(results)
    assert "0.025080581" not in tex


def test_report_from_a_results_file_shows_the_ss_table(tmp_path):
    """The document the `report` command writes has the ss section's table (its figure data
    travels at the top level of a results file)."""
    from proofs_check.report.document import paper_sections
    from proofs_check.paper import with_own_figures

    row = {"n": 7, "starts": 2, "global_count": 1, "stationary": 1, "loss": "0.023202715",
           "min_eigenvalue": "0.014059013", "escape": "-0.035254737"}
    claims = [{"id": "ss.spurious_minima", "status": "proved"}]
    figures = {"ss.spurious_minima": {"kind": "table", "rows": [row]}}
    (section,) = paper_sections(with_own_figures(claims, figures))
    assert "7 & 2 & 1 & 1 & 0.023202715 & 0.014059013 & -0.035254737" in section.model
    (bare,) = paper_sections(claims)
    assert "0.023202715" not in bare.model


def test_figures_a_paper_template_draws_are_not_listed_as_undrawn():
    from proofs_check.paper_sections import figures_drawn_by_papers

    drawn = figures_drawn_by_papers({"ss.spurious_minima": {}, "du.gd_rate": {}, "lzb.wide_pl": {},
                                     "claim2": {}})
    assert drawn == {"ss.spurious_minima", "du.gd_rate"}  # lzb's template draws no figure
