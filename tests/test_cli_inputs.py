"""Command-line inputs that must fail early and cleanly (exit 2, field named, no stdout)."""
import json

import pytest

from proofs_check.cli import main


def _run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, needle", [
    (["run", "--seed", "-1", "--no-progress"], "--seed = -1"),
    (["run", "--json", "/dev/null/x.json", "--no-progress"], "--json '/dev/null/x.json'"),
    (["search", "contrast.pl", "--seed", "-2", "--db", "none"], "--seed = -2"),
    (["search", "contrast.pl", "--json", "/dev/null/x.json", "--db", "none"], "--json '/dev/null/x.json'"),
])
def test_bad_option_values_exit_2_before_any_work(capsys, argv, needle):
    code, out, err = _run(capsys, argv)
    assert code == 2
    assert out == ""
    assert needle in err and err.count("\n") == 1


def test_run_json_to_a_directory_is_refused(capsys, tmp_path):
    code, out, err = _run(capsys, ["run", "--json", str(tmp_path), "--no-progress",
                                   "--claims", "zgj.lemmaC7"])
    assert code == 2 and out == "" and "is a directory" in err


def test_eval_replays_a_wrapped_worst_configuration(capsys, tmp_path):
    """A verdict's "worst" entry ({"config": ..., "level": ...}) is replayable with eval."""
    config = {"teacher": [[1, 0]], "student": [["0.5", "0.1"], [0, "0.2"]]}
    bare, wrapped = tmp_path / "bare.json", tmp_path / "worst.json"
    bare.write_text(json.dumps(config))
    wrapped.write_text(json.dumps({"config": config, "level": "1e-4", "family": "random"}))
    assert main(["eval", str(bare), "--json", "--dps", "20"]) == 0
    want = json.loads(capsys.readouterr().out)
    assert main(["eval", str(wrapped), "--json", "--dps", "20"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got == want and float(got["loss"]) > 0


def test_wrapper_with_a_broken_configuration_names_the_field(capsys, tmp_path):
    path = tmp_path / "worst.json"
    path.write_text(json.dumps({"config": {"teacher": [[1, 0]], "student": [[1]]}}))
    code, out, err = _run(capsys, ["eval", str(path)])
    assert code == 2 and out == "" and "student row 0" in err


def test_run_accepts_a_user_claim_reference_from_the_current_directory(capsys, monkeypatch, tmp_path):
    """`proofs-check run --claims package.module:attribute` imports from the working
    directory (as `python -m` would), for run and report as well as search."""
    import sys
    (tmp_path / "mine.py").write_text(
        "from fractions import Fraction\n"
        "from proofs_check.registry import get_claim\n"
        "STRONG = get_claim('zgj.thm4').variant(id='mine.thm4_strong', constant=Fraction(10**6),\n"
        "                                       expected='refuted')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    code = main(["run", "--claims", "mine:STRONG", "--samples", "7", "--no-progress"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "mine.thm4_strong" in out and "refuted" in out
