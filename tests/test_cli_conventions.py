"""Conventions of the command line: python -m, --version, help written for the terminal,
documented exit codes, progress display, error radii in eval --json."""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import mpmath

import proofs_check
from numeric.config import Configuration
from proofs_check.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _subparsers():
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return parser, action.choices


def test_python_dash_m_and_version():
    done = subprocess.run([sys.executable, "-m", "proofs_check", "--version"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == f"proofs-check {proofs_check.__version__}"
    assert re.fullmatch(r"\d+\.\d+\.\d+", proofs_check.__version__)
    done = subprocess.run([sys.executable, "-m", "proofs_check", "list"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "zgj.thm4" in done.stdout


#: Markup that means something to Sphinx and nothing to a terminal.
RST = re.compile(r"``|:(mod|func|class|meth|data|attr|ref):`")


def test_help_is_written_for_the_terminal():
    parser, commands = _subparsers()
    assert not RST.search(parser.format_help())
    for name, command in commands.items():
        text = command.format_help()
        assert not RST.search(text), f"{name} --help has RST markup: {RST.search(text).group()}"
        assert command.description and len(command.description) > 40, f"{name} has no description"
        codes = text[text.index("Exit codes"):] if "Exit codes" in text else ""
        assert re.search(r"\b0\b", codes) and re.search(r"\b2\b", codes) and re.search(r"\b3\b", codes), \
            f"{name} --help does not document its exit codes"


def test_rst_check_catches_markup():
    assert RST.search("see :mod:`numeric`") and RST.search("the ``x`` option")
    assert not RST.search("a `quoted` word, 'x' and -- dashes")


def test_readme_documents_exit_codes_and_options():
    table = README[README.index("## Exit codes"):]
    for code in ("0", "1", "2", "3", "130", "143"):
        assert re.search(rf"^\| `{code}` \|", table, re.M), f"exit code {code} missing from README"
    commands = README[README.index("## Commands"):README.index("A configuration file")]
    assert "--constant" in commands and "--no-limits" in commands and "--debug" in commands
    _, parsers = _subparsers()
    for name in parsers:
        assert f"`proofs-check {name}" in commands, f"{name} missing from the README table"


def test_progress_is_a_plain_line_per_claim_off_a_terminal(capsys):
    assert main(["run", "--claims", "zgj.lemmaC7,zgj.lemmaD2"]) == 0
    _, err = capsys.readouterr()
    lines = err.splitlines()  # in the order the claims finish
    assert [line[:6] for line in lines] == ["[1/2] ", "[2/2] "]
    assert sorted(line.split()[1] for line in lines) == ["zgj.lemmaC7:", "zgj.lemmaD2:"]
    assert "\r" not in err and "\x1b" not in err
    assert main(["run", "--claims", "zgj.lemmaC7", "--no-progress"]) == 0
    assert capsys.readouterr().err == ""


CONFIG = {"teacher": [[1, 0, 0], [0, 1, 0]], "student": [["0.9", "0.1", 0], [0, "1.1", "0.2"], ["0.1", 0, "0.3"]]}


def test_eval_json_error_radii_bound_the_error(tmp_path, capsys, reference_loss_gradient):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(CONFIG))
    dps = 12
    assert main(["eval", str(path), "--json", "--dps", str(dps), "--hessian"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["certified"] is True and out["working_dps"] >= dps
    config = Configuration.from_dict(CONFIG)
    loss, gradient = reference_loss_gradient(config, 40)
    with mpmath.workdps(40):
        def within(printed, radius, exact):
            # |exact - printed| <= radius + the rounding of the printed digits
            rounding = abs(exact) * mpmath.mpf(10) ** (1 - dps) + mpmath.mpf(radius)
            return abs(mpmath.mpf(printed) - exact) <= rounding

        assert mpmath.mpf(out["loss_error"]) < mpmath.mpf(10) ** -dps * loss
        assert within(out["loss"], out["loss_error"], loss)
        for row, rads, exact in zip(out["gradient"], out["gradient_error"], gradient):
            assert all(within(x, r, e) for x, r, e in zip(row, rads, exact))
        assert len(out["hessian_error"]) == config.m * config.d
        # A perturbed reference lies outside: the bound is tight enough to catch an error.
        assert not within(out["loss"], out["loss_error"], loss * (1 + mpmath.mpf(10) ** (2 - dps)))
