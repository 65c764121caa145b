"""``proofs-check eval``: bad input gives exit code 2, one line on stderr naming the field and
the value, and nothing on stdout; ``--json`` output has the promised shape, digits and values."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from fractions import Fraction

import mpmath
import pytest

from numeric.config import Configuration
from proofs_check.cli import main

GOOD = {"teacher": [[1, 0]], "student": [[1, 0], [0, 1]]}
ERROR_PREFIX = "proofs-check eval: error: "


def _write(tmp_path, text: str, name: str = "config.json"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _json_text(**changes) -> str:
    data = dict(GOOD)
    data.update(changes)
    return json.dumps(data)


def _assert_input_error(capsys, rc, *names):
    out, err = capsys.readouterr()
    assert rc == 2
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(ERROR_PREFIX), err
    for name in names:
        assert name in err, (name, err)


#: case -> (file text, extra arguments, substrings the message must name)
BAD_FILES = {
    "missing key": ('{"teacher": [[1, 0]]}', [], ["'student'"]),
    "ragged rows": (_json_text(teacher=[[1, 0], [1]]), [], ["teacher row 1", "1 entries"]),
    "'nan' string": (_json_text(teacher=[[1, "nan"]]), [], ["teacher[0][1]", "'nan'"]),
    "'-inf' string": (_json_text(student=[[1, 0], ["-inf", 0]]), [], ["student[1][0]", "'-inf'"]),
    "m < r": (_json_text(teacher=[[1, 0], [0, 1], [1, 1]]), [], ["m = 2", "r = 3"]),
    "dimension mismatch": (_json_text(student=[[1, 0, 0], [0, 1, 0]]), [], ["student row 0", "3 entries"]),
    "malformed JSON": ('{"teacher": [[1, 0]], "student": [[1, 0]', [], ["malformed JSON", "line 1"]),
    "unknown activation": (_json_text(activation="sigmoid"), [], ["activation", "'sigmoid'"]),
    "unknown top-level key": (_json_text(lr="0.1"), [], ["'lr'"]),
    "empty teacher list": (_json_text(teacher=[]), [], ["teacher", "[]"]),
    "non-numeric entry": (_json_text(student=[[1, "abc"], [0, 1]]), [], ["student[0][1]", "'abc'"]),
    "zero dps": (_json_text(), ["--dps", "0"], ["--dps", "0"]),
    "negative dps": (_json_text(), ["--dps", "-5"], ["--dps", "-5"]),
    "hessian at a zero student": (_json_text(student=[[1, 0], [0, 0]]), ["--hessian"],
                                  ["student row 1", "zero"]),
    # BUG: see test_config.py (JSON constants do not name the field; 1e999 is accepted)
    "JSON NaN": ('{"teacher": [[1, NaN]], "student": [[1, 0]]}', [], ["teacher[0][1]", "NaN"]),
    "JSON Infinity": ('{"teacher": [[1, 0]], "student": [[-Infinity, 0]]}', [], ["student[0][0]", "Infinity"]),
    "1e999": ('{"teacher": [[1, 1e999]], "student": [[1, 0]]}', [], ["teacher[0][1]", "1e999"]),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_input_exits_2_with_one_line_naming_field_and_value(tmp_path, capsys, case):
    text, extra, names = BAD_FILES[case]
    path = _write(tmp_path, text)
    _assert_input_error(capsys, main(["eval", path, *extra]), *names)


def test_missing_file_and_directory_as_config(tmp_path, capsys):
    missing = str(tmp_path / "nowhere.json")
    _assert_input_error(capsys, main(["eval", missing]), "nowhere.json", "No such file")
    _assert_input_error(capsys, main(["eval", str(tmp_path)]), str(tmp_path), "directory")


@pytest.mark.parametrize("argv", [["eval"], ["eval", "c.json", "--dps", "ten"], ["eval", "c.json", "--digits", "3"]])
def test_usage_errors_exit_2_with_one_line(capsys, argv):
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capsys.readouterr()
    assert info.value.code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("proofs-check") and ": error:" in err, err


def test_real_subprocess_bad_input(tmp_path):
    path = _write(tmp_path, _json_text(student=[[1, "x"], [0, 1]]))
    exe = shutil.which("proofs-check")
    cmd = [exe] if exe else [sys.executable, "-m", "proofs_check.cli"]
    done = subprocess.run([*cmd, "eval", path, "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "student[0][1] = 'x'" in done.stderr, done.stderr


# -- --json output -------------------------------------------------------------------------------

CONFIGS = {
    "generic abs": {"teacher": [[1, "0.3", "-0.2"], ["-0.4", 1, "0.5"]],
                    "student": [["0.9", "0.1", "-0.3"], ["-0.2", "0.8", "0.7"], ["0.3", "-0.5", "0.3"]]},
    "generic relu": {"teacher": [[1, "0.3", "-0.2"], ["-0.4", 1, "0.5"]],
                     "student": [["0.9", "0.1", "-0.3"], ["-0.2", "0.8", "0.7"], ["0.3", "-0.5", "0.3"]],
                     "activation": "relu"},
    "m = 2, d = 4": {"teacher": [["0.5", 1, 0, "-1.5"]], "student": [[1, 2, 3, 4], ["-0.5", "0.25", 1, 0]]},
}


def _run_json(tmp_path, capsys, data, *args):
    path = _write(tmp_path, json.dumps(data))
    rc = main(["eval", path, "--json", *args])
    out, err = capsys.readouterr()
    assert rc == 0 and err == ""
    assert out.count("\n") == 1
    return json.loads(out)


def _significant_digits(text: str) -> int:
    mantissa = text.split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    return len(mantissa)


def _fd_hessian(reference, config, dps=80):
    """Central differences of the reference gradient: column (l, q) is d/dw_l[q] of the
    flattened gradient, whose entry (j, k) sits at j*d + k."""
    h = Fraction(1, 10**30)
    cols = []
    for l in range(config.m):
        for q in range(config.d):
            grads = []
            for step in (h, -h):
                student = [list(row) for row in config.student]
                student[l][q] += step
                _, g = reference(config.replace(student=student), dps)
                grads.append([x for row in g for x in row])
            with mpmath.workdps(dps):
                cols.append([(p - m) / (2 * mpmath.mpf(h.numerator) / h.denominator)
                             for p, m in zip(*grads)])
    return [list(row) for row in zip(*cols)]


@pytest.mark.parametrize("name", list(CONFIGS))
def test_json_output_shape_digits_and_values(tmp_path, capsys, reference_loss_gradient, name):
    data = CONFIGS[name]
    config = Configuration.from_dict(data)
    m, d, dps = config.m, config.d, 25

    plain = _run_json(tmp_path, capsys, data, "--dps", str(dps))
    errors = {"loss_error", "gradient_error", "working_dps", "certified"}
    assert set(plain) == {"loss", "gradient", "dps"} | errors and plain["dps"] == dps
    out = _run_json(tmp_path, capsys, data, "--dps", str(dps), "--hessian")
    assert set(out) == {"loss", "gradient", "hessian", "dps", "hessian_error"} | errors and out["dps"] == dps
    assert out["loss"] == plain["loss"] and out["gradient"] == plain["gradient"]

    grad, hess = out["gradient"], out["hessian"]
    assert len(grad) == m and all(len(row) == d for row in grad)
    assert len(hess) == m * d and all(len(row) == m * d for row in hess)
    strings = [out["loss"]] + [x for row in grad + hess for x in row]
    assert all(isinstance(x, str) for x in strings)
    assert all(_significant_digits(x) == dps for x in strings if x != "0")
    assert all(hess[i][k] == hess[k][i] for i in range(m * d) for k in range(i))

    ref_loss, ref_grad = reference_loss_gradient(config, 60)
    ref_hess = _fd_hessian(reference_loss_gradient, config)
    with mpmath.workdps(60):
        tol = mpmath.mpf(10) ** (1 - dps)
        assert abs(mpmath.mpf(out["loss"]) - ref_loss) <= tol * abs(ref_loss)
        for rows, ref_rows in ((grad, ref_grad), (hess, ref_hess)):
            scale = max(abs(x) for row in ref_rows for x in row)
            for row, ref_row in zip(rows, ref_rows, strict=True):
                for x, y in zip(row, ref_row, strict=True):
                    # N digits, or 10^-N of the largest entry for entries near 0
                    assert abs(mpmath.mpf(x) - y) <= tol * max(abs(y), scale / 10), (x, y)


def test_json_output_certifies_a_tiny_loss(tmp_path, capsys):
    """At L = 5e-61 the command raises its working precision by itself: the printed digits are
    the true ones, not cancellation noise from 25 working digits."""
    data = {"teacher": [[1, 0, 0], [0, "1.2", "1.6"]],
            "student": [[1, "1e-30", 0], [0, "0.6", "0.8"], [0, "-0.6", "-0.8"]]}
    out = _run_json(tmp_path, capsys, data, "--dps", "20")
    with mpmath.workdps(300):
        from numeric.precise import evaluate

        ref = evaluate(Configuration.from_dict(data), 300, backend="mpmath", gradient=False).loss
        assert abs(mpmath.mpf(out["loss"]) - ref) <= mpmath.mpf(10) ** -19 * ref
    assert _significant_digits(out["loss"]) == 20 and out["loss"].endswith("e-61")


def test_text_output(tmp_path, capsys):
    path = _write(tmp_path, json.dumps(CONFIGS["m = 2, d = 4"]))
    assert main(["eval", path, "--dps", "12", "--hessian"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "r = 1 teacher, m = 2 student neurons, d = 4" in out
    assert "loss" in out and "w_2:" in out and "Hessian" in out
