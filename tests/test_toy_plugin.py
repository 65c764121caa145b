"""The plugin example adds a model of its own and a claim on it, touching no shared file:
``examples/toy_paper`` holds the paper (``toy_paper``) and the model (``toy_model``:
configuration with its file form, sampler, Hypothesis strategy); ``list``, ``run``,
``search`` and ``replay`` work on it through :class:`proofs_check.models.Model` alone."""
from __future__ import annotations

import json
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import proofs_check.registry as registry
from proofs_check.cli import main
from proofs_check.models import Model

ROOT = Path(__file__).resolve().parents[1]
TOY = ROOT / "examples" / "toy_paper"


@pytest.fixture
def false_twin(plugin, monkeypatch):
    """``toy.sheppard`` with Sheppard's arcsine term 1% too large: false at every angle but
    pi/2 (the term vanishes there)."""
    import toy_paper.claims

    twin = toy_paper.claims.SHEPPARD.variant(settings={"factor": Fraction(101, 100)})
    monkeypatch.setattr(toy_paper.claims, "CLAIMS", (twin,))
    registry._registry.cache_clear()
    yield twin


def test_no_shared_file_names_the_plugin():
    """Everything of the example lives under examples/toy_paper: the package names neither
    the paper nor the model (the registry finds the paper by its entry point, the paper
    names its model)."""
    tracked = subprocess.run(["git", "ls-files", "proofs_check"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.split()
    assert tracked, "git ls-files found no package files"
    for name in tracked:
        text = (ROOT / name).read_text(encoding="utf-8", errors="replace")
        assert "toy_model" not in text and "AnglePair" not in text and "toy.sheppard" not in text, name
    assert (TOY / "toy_model" / "model.py").is_file() and (TOY / "toy_paper" / "claims.py").is_file()


def test_the_paper_declares_the_plugins_own_model(plugin):
    from toy_model.configuration import AnglePair
    from toy_model.model import ANGLE_PAIR

    paper = registry.all_papers()["toy"]
    assert paper.model is ANGLE_PAIR and isinstance(ANGLE_PAIR, Model)
    assert ANGLE_PAIR.configuration is AnglePair and ANGLE_PAIR.strategy is not None
    assert ANGLE_PAIR.read({"theta": "157/100"}) == AnglePair(Fraction(157, 100))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 314159), st.integers(1, 100000))
def test_angle_pair_file_form_round_trips(p, q):
    import sys

    sys.path.insert(0, str(TOY))
    try:
        from toy_model.configuration import THETA_MAX, AnglePair
    finally:
        sys.path.remove(str(TOY))
    theta = Fraction(p, q)
    if not theta <= THETA_MAX:
        with pytest.raises(ValueError, match="theta"):
            AnglePair(theta)
        return
    config = AnglePair(theta)
    assert AnglePair.from_dict(json.loads(json.dumps(config.to_dict(40)))) == config


@pytest.mark.parametrize("data,field", [({}, "'theta' is missing"), ({"theta": 1.5}, "must be a string"),
                                        ({"theta": "x"}, "not a number"), ({"theta": "4"}, "must lie in"),
                                        ({"theta": "0"}, "must lie in")])
def test_angle_pair_refuses_bad_input_naming_the_field(plugin, data, field):
    from toy_model.configuration import AnglePair

    with pytest.raises(ValueError, match=field):
        AnglePair.from_dict(data)


def test_list_and_run_on_the_plugins_model(plugin, capsys, tmp_path):
    assert main(["list", "--paper", "toy"]) == 0
    assert "toy.sheppard" in capsys.readouterr().out
    out = tmp_path / "run.json"
    assert main(["run", "--claims", "toy.sheppard", "--no-progress", "--json", str(out)]) == 0
    verdict = json.loads(out.read_text())["claims"][0]
    assert verdict["id"] == "toy.sheppard" and verdict["status"] == "checked" and verdict["instances"] == 8


def test_run_refutes_the_false_twin(false_twin, capsys):
    assert false_twin.check().status == "refuted"
    assert main(["run", "--claims", "toy.sheppard", "--no-progress"]) == 1


def test_search_draws_from_the_plugins_strategy(plugin, capsys, tmp_path):
    code = main(["search", "toy.sheppard", "--max-examples", "25", "--seed", "0",
                 "--save-dir", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and "angle theta of the examples in" in out
    assert not list(tmp_path.iterdir())


def _twin_counterexample(tmp_path) -> Path:
    code = main(["search", "toy.sheppard", "--max-examples", "25", "--seed", "0",
                 "--save-dir", str(tmp_path)])
    assert code == 1
    return tmp_path / "toy.sheppard.json"


def test_search_finds_the_false_twins_counterexample(false_twin, tmp_path):
    from toy_model.configuration import AnglePair

    data = json.loads(_twin_counterexample(tmp_path).read_text())
    config = AnglePair.from_dict(data["config"])
    # The twin is exact at theta = pi/2 only, which no rational angle is.
    assert data["counterexample"] is True and data["margin"].startswith("-") and config.theta > 0


def test_replay_rechecks_the_false_twins_counterexample(false_twin, capsys, tmp_path):
    saved = _twin_counterexample(tmp_path)
    capsys.readouterr()
    assert main(["replay", str(saved)]) == 1


def test_replay_of_a_bad_configuration_names_the_field(plugin, capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"claim": "toy.sheppard", "dps": 30, "config": {"theta": "7/2"}}))
    assert main(["replay", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "theta" in err[0]


def test_a_campaign_runs_the_plugin_models_own_task_type(plugin):
    """The toy model declares a task type (``Model.task_types``): a campaign spec can name it,
    its inputs are checked, it runs, and ``campaign show`` summarises it; nothing in the
    campaign package names it."""
    import mpmath

    from proofs_check.campaign import TASKS, SpecError, parse_spec
    from proofs_check.campaign.tasks import execute

    assert "orthant_probability" in TASKS
    spec = parse_spec('name = "toy"\n[[tasks]]\nkind = "orthant_probability"\ntheta = ["157/100", "1/3"]\n'
                      "dps = 40\n")
    records = [execute(task.task, task.canonical) for task in spec.tasks()]
    assert [r["status"] for r in records] == ["done", "done"]
    with mpmath.workdps(60):
        for record in records:
            result = record["result"]
            theta = mpmath.mpf(Fraction(result["theta"]).numerator) / Fraction(result["theta"]).denominator
            exact = (mpmath.pi - theta) / (2 * mpmath.pi)
            assert abs(mpmath.mpf(result["probability"]) - exact) <= mpmath.mpf(result["radius"]) + mpmath.mpf(10) ** -39
    rows = [{"result": r["result"]} for r in records]
    assert [e["theta"] for e in TASKS["orthant_probability"].summarize(rows, [])] == ["1/3", "157/100"]
    with pytest.raises(SpecError, match=r"theta.*'7/2'.*not an angle"):
        parse_spec('name = "toy"\n[[tasks]]\nkind = "orthant_probability"\ntheta = "7/2"\n')
