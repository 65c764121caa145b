"""The one results schema: what `run --json` writes validates, and near misses (a kind that
contradicts its status, another version, a truncated or wrongly typed file) are refused with
the JSON path of the field and exit code 2 from `report --from`."""
from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proofs_check.verdict import Verdict
from proofs_check.cli import main
from proofs_check.judgement import KINDS, STATUSES, kind_of
from proofs_check.schema import (SCHEMA_VERSION, ResultsBug, ResultsError, example_results,
                                 results_schema, validate_results)

FIXTURE = Path(__file__).parent / "data" / "results_small.json"


@pytest.fixture(scope="module")
def suite_results():
    from proofs_check.suite import run_suite

    return run_suite(["zgj.lemmaC7", "zgj.claim2"], workers=1)


def test_a_small_suite_run_validates(suite_results, tmp_path):
    from proofs_check.suite import write_results

    assert suite_results["schema_version"] == SCHEMA_VERSION
    assert [c["kind"] for c in suite_results["claims"]] == ["checked", "empirical"]
    checked = suite_results["claims"][0]
    assert checked["status"] == "checked" and checked["instances"] > 0 and checked["drawn_from"]
    assert all(c["paper"]["says"] == "holds" and c["versus_paper"] == "agrees" for c in suite_results["claims"])
    validate_results(suite_results)
    path = tmp_path / "results.json"
    write_results(suite_results, path)
    validate_results(json.loads(path.read_text()))  # what is written is what validates


def test_run_json_output_validates_and_reports(suite_results, tmp_path, capsys):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(suite_results))
    assert main(["report", "--from", str(path), "--out", str(tmp_path / "out")]) == 0
    tex = (tmp_path / "out" / "report.tex").read_text()
    assert r"& checked & \Vchecked" in tex and r"& empirical & \Vconsistent" in tex


def test_the_schema_requires_every_field_verdict_to_json_writes():
    """The schema and Verdict.to_json describe one format: a field added to one must be added
    to the other."""
    names = {f.name for f in dataclasses.fields(Verdict)}
    verdict = Verdict(**{n: None for n in names} | {"claim_id": "x", "status": "inconclusive",
                                                    "expected": "inconclusive", "kind": "checked",
                                                    "margin_kind": "relative", "drawn_from": "",
                                                    "samples": 0, "dps": 0, "shown": "", "notes": "",
                                                    "title": "", "source": "", "statement": ""})
    required = set(results_schema()["$defs"]["verdict"]["required"])
    assert set(verdict.to_json()) == required
    validate_results(example_results() | {"claims": [verdict.to_json()]})


@given(st.sampled_from(STATUSES), st.sampled_from(KINDS))
def test_kind_must_agree_with_status(status, kind):
    results = example_results("x", status=status)
    results["claims"][0]["kind"] = kind
    agrees = status == "inconclusive" or kind_of(status) == kind
    if agrees:
        validate_results(results)
    else:
        with pytest.raises(ResultsError, match=r"^claims\[0\]\.kind = "):
            validate_results(results)


def _fixture():
    return json.loads(FIXTURE.read_text())


@pytest.mark.parametrize("mutate, field", [
    (lambda r: r.pop("schema_version"), "schema_version: missing"),
    (lambda r: r.update(schema_version=3), "schema_version = 3"),
    (lambda r: r.pop("claims"), "claims: missing"),
    (lambda r: r["claims"][1].pop("estimate"), "claims[1].estimate: missing"),
    (lambda r: r["claims"][2].pop("kind"), "claims[2].kind: missing"),
    (lambda r: r["claims"][3].update(kind="empirical"), "claims[3].kind = 'empirical'"),
    (lambda r: r["claims"][1].update(status="maybe"), "claims[1].status = 'maybe'"),
    (lambda r: r["claims"][0].update(id=7), "claims[0].id = 7"),
    (lambda r: r["claims"][0].update(samples="2000"), "claims[0].samples = '2000'"),
    (lambda r: r["claims"][0].update(min_margin="abc"), "claims[0].min_margin = 'abc'"),
    (lambda r: r["claims"][0].update(loss_range=["1"]), "claims[0].loss_range = ['1']"),
    (lambda r: r["claims"][0]["estimate"]["fit"].update(method="eyeball"), "claims[0].estimate.fit.method"),
    (lambda r: r["figures"]["gd"].pop("runs"), "figures.gd.runs: missing"),
    (lambda r: r["figures"]["threshold"].update(labels=[1, 2, 3]), "figures.threshold.labels[0] = 1"),
])
def test_near_misses_name_the_field(tmp_path, capsys, mutate, field):
    results = _fixture()
    validate_results(copy.deepcopy(results))  # the fixture itself is valid
    mutate(results)
    with pytest.raises(ResultsError) as info:
        validate_results(results)
    assert str(info.value).startswith(field), str(info.value)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(results))
    assert main(["report", "--from", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert field in err and str(path) in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_truncated_file_exits_2(tmp_path, capsys):
    text = FIXTURE.read_text()
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) // 2])
    assert main(["report", "--from", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "malformed JSON" in capsys.readouterr().err


def test_the_suite_refuses_to_write_results_that_do_not_validate(tmp_path):
    from proofs_check.suite import write_results

    results = example_results("x")
    results["claims"][0]["status"] = "holds"  # the old vocabulary
    with pytest.raises(ResultsBug, match=r"claims\[0\]\.status") as info:
        write_results(results, tmp_path / "r.json")
    assert not isinstance(info.value, ResultsError)  # an internal error, not exit code 2
    assert not (tmp_path / "r.json").exists()


@settings(max_examples=30)
@given(st.lists(st.sampled_from(STATUSES), max_size=4), st.integers(0, 2**31))
def test_example_results_validate(statuses, seed):
    results = example_results(*[f"c{i}" for i in range(len(statuses))])
    for claim, status in zip(results["claims"], statuses):
        claim.update(status=status, expected=status, kind=kind_of(status, "empirical"),
                     instances=1, drawn_from="one example instance")
    results["seed"] = seed
    validate_results(results)


def test_run_json_then_report_from(tmp_path, capsys):
    path = tmp_path / "results.json"
    assert main(["run", "--claims", "zgj.lemmaC7", "--json", str(path)]) == 0
    validate_results(json.loads(path.read_text()))
    assert main(["report", "--from", str(path), "--out", str(tmp_path / "out")]) == 0
    assert r"& checked & \Vchecked" in (tmp_path / "out" / "report.tex").read_text()


def test_a_version_1_file_exits_2_with_a_message_saying_so(tmp_path, capsys):
    """Files written before the three kinds (statuses certified/empirical) are refused with
    one line naming the version, not a crash and not a list of every verdict's fields."""
    path = Path(__file__).parent / "data" / "results_v1.json"
    assert json.loads(path.read_text())["schema_version"] == 1
    assert main(["report", "--from", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "schema_version = 1" in err and "version 2" in err
    assert not (tmp_path / "out").exists()
