"""`proofs-check threshold` as a user runs it (real subprocesses)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ORTHOGONAL = ROOT / "examples" / "teachers" / "orthogonal2.json"
#: (pi^2 - 8) / (2 pi (pi + 2)): students on both bisectors of two orthogonal unit teachers
BISECTOR_LOSS = Fraction("0.0578724924565900122")


def _run(*args, timeout=600):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "proofs_check", "threshold", *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT)


def test_fields_and_an_unfinished_proof_is_labelled_so(tmp_path):
    out_path = tmp_path / "t.json"
    done = _run(ORTHOGONAL, "--students", 2, "--dim", 2, "--starts", 8, "--prove", "--budget", 1,
                "--json", out_path)
    assert done.returncode == 0, done.stderr
    out = json.loads(out_path.read_text())
    assert set(out) >= {"teacher", "students", "dim", "paper_eps0", "upper", "lower"}
    assert out["students"] == 2 and out["dim"] == 2
    up = out["upper"]
    assert up["certified"] is True and set(up["witness"]) >= {"teacher", "student"}
    lo, hi = map(Fraction, up["loss_interval"])
    assert lo <= BISECTOR_LOSS <= hi and hi - lo < Fraction(1, 10**12)
    low = out["lower"]
    assert low["method"] == "branch-and-bound" and low["certified"] is False and low["value"] is None
    assert 0 <= float(low["share_decided"]) < 1 and low["boxes"] > 0
    assert "not proved" in done.stdout


@pytest.mark.slow
def test_without_prove_the_lower_end_is_the_optimiser_scan_and_not_a_bound():
    done = _run(ORTHOGONAL, "--students", 2, "--dim", 2, "--starts", 8, "--json", "-")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["lower"]["method"] == "optimiser scan" and out["lower"]["certified"] is False
    assert "not a bound" in done.stderr


@pytest.mark.parametrize("args, field", [
    (("--students", 0), "--students"),
    (("--students", 1), "--students"),  # m < r
    (("--students", 2, "--dim", 1), "--dim"),
    (("--students", 2, "--budget", -3), "--budget"),
])
def test_bad_input_exits_2_naming_the_field(args, field, capsys):
    from proofs_check.cli import main

    assert main(["threshold", str(ORTHOGONAL), *map(str, args)]) == 2
    err = capsys.readouterr().err
    assert field in err and len(err.strip().splitlines()) == 1


def test_bad_teacher_file_exits_2_in_a_real_process(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"teacher": [[1, 0], [0]], "student": []}')
    done = _run(bad, "--students", 2, timeout=120)
    assert done.returncode == 2 and "teacher row 1" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_missing_teacher_file_exits_2(tmp_path, capsys):
    from proofs_check.cli import main

    assert main(["threshold", str(tmp_path / "none.json"), "--students", "2"]) == 2
    assert "none.json" in capsys.readouterr().err
