"""Safe under misuse (issue 21): every case runs the real command line in a subprocess.

Memory is bounded by design: commands estimate their big allocations and refuse them with
exit code 2 and the estimate (``--max-memory``), and an allocation nobody estimated fails,
under an address-space limit (``prlimit``), with one line instead of a kill.  Bad input of
every kind exits 2 naming the field; signals have one exit code each; interrupted searches
say so in their output files.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _cli(*args, cwd, prefix=(), timeout=300, input=None) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "proofs_check", *map(str, args)], cwd=cwd,
                          env=_env(), capture_output=True, text=True, timeout=timeout,
                          input=input, stdin=None if input is not None else subprocess.DEVNULL)


def _one_line_error(proc, *fragments, progress: str | None = None) -> None:
    """Exit 2 and one line on stderr naming ``fragments``.  ``progress``: the prefix of the
    command's heartbeat lines (``PREFIX ... (N s so far)``, printed while a long computation
    runs; how many depends on the machine's speed), which may come before the error; the
    error is then the one other line, and the last."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    if progress is not None:
        heartbeat = re.compile(re.escape(progress) + r" .* \(\d+ s so far\)")
        while len(lines) > 1 and heartbeat.fullmatch(lines[0]):
            lines = lines[1:]
    assert len(lines) == 1 and "error" in lines[0], proc.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def _config(m: int, d: int) -> dict:
    return {"teacher": [[1] + [0] * (d - 1)], "student": [["0.5"] * d for _ in range(m)]}


# -- memory ---------------------------------------------------------------------------------------

def test_eval_refuses_a_hessian_above_max_memory_with_the_estimate(tmp_path):
    (tmp_path / "c.json").write_text(json.dumps(_config(300, 10)))
    proc = _cli("eval", "c.json", "--hessian", "--max-memory", "100M", cwd=tmp_path)
    _one_line_error(proc, "3000 x 3000", "GB", "above the memory cap of 100.0 MB", "--max-memory")
    # the same evaluation without the Hessian is within the cap
    assert _cli("eval", "c.json", "--max-memory", "100M", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("size", ["lots", "1k", "-5G", "١G"])
def test_max_memory_must_be_a_size(tmp_path, size):
    _one_line_error(_cli("list", "--max-memory", size, cwd=tmp_path), "--max-memory")


def test_every_command_takes_max_memory(tmp_path):
    from proofs_check.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name, parser in sub.choices.items():
        assert "--max-memory" in parser._option_string_actions, name


@pytest.mark.slow
def test_an_unestimated_allocation_fails_in_one_line_under_an_address_space_limit(tmp_path):
    """The Hessian estimate is passed (--max-memory 100G), then the process's address space
    (prlimit, 700 MB) runs out.  Where a Python allocation fails first: one line naming the
    command and the size, exit 2 (after the heartbeat lines a slow machine prints while the
    evaluation runs: the error is the one other line on stderr, and the last).  Where FLINT's C allocator fails first (which one does depends
    on the engine and the order of allocations), FLINT prints its own message and aborts
    (SIGABRT, shell status 134; README's exit codes): never a kernel kill, a hang or a traceback."""
    if shutil.which("prlimit") is None:
        pytest.skip("prlimit (util-linux) is not installed")
    (tmp_path / "c.json").write_text(json.dumps(_config(150, 10)))
    proc = _cli("eval", "c.json", "--hessian", "--max-memory", "100G", cwd=tmp_path,
                prefix=("prlimit", "--as=700000000"))
    if proc.returncode == -signal.SIGABRT:
        assert "Unable to allocate memory" in proc.stdout + proc.stderr, (proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
        return
    _one_line_error(proc, "proofs-check eval", "out of memory", "MB of address space in use",
                    progress="proofs-check eval: evaluating")


def test_a_huge_campaign_grid_is_refused_before_anything_is_written(tmp_path):
    """1e8 seeds reached 4 GB in 25 s; now refused at once, under a 1.5 GB address space."""
    spec = tmp_path / "big.toml"
    spec.write_text('name = "big"\n[[tasks]]\nkind = "claim_check"\nclaim = "zgj.lemma11"\n'
                    'seed = {range = [0, 100000000]}\n')
    prefix = ("prlimit", "--as=1500000000") if shutil.which("prlimit") else ()
    start = time.monotonic()
    proc = _cli("campaign", spec, "--db", "c.sqlite", cwd=tmp_path, prefix=prefix)
    _one_line_error(proc, "tasks[0].seed", "100000000 values", "--no-limits")
    assert time.monotonic() - start < 60
    assert not (tmp_path / "c.sqlite").exists()
    # the cap is on the product of the axes, before the points are made
    spec.write_text('name = "wide"\n[[tasks]]\nkind = "claim_check"\nclaim = "zgj.lemma11"\n'
                    'seed = {range = [0, 1000]}\nsamples = {range = [1, 1002]}\n')
    _one_line_error(_cli("campaign", spec, "--db", "c.sqlite", cwd=tmp_path),
                    "tasks[0]", "1001000 tasks", "above the limit of 100000")
    assert not (tmp_path / "c.sqlite").exists()


# -- campaign input errors ------------------------------------------------------------------------

def test_campaign_spec_errors_name_the_cause(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text('name = "s"\n[[tasks]]\nkind = "stationary"\ngeometry = "orthogonal"\nr = 2\n'
                    'budget = inf\n')
    _one_line_error(_cli("campaign", spec, "--db", "c.sqlite", cwd=tmp_path), "budget", "not a finite number")
    spec.write_bytes(b'name = "\xff\xfe"\n')
    _one_line_error(_cli("campaign", spec, "--db", "c.sqlite", cwd=tmp_path), "not UTF-8", "0xff")
    spec.write_text('name = "s"\n[[tasks]]\nkind = "stationary"\ngeometry = "orthogonal"\nr = 2\n'
                    'w_max = 1e300\n')
    _one_line_error(_cli("campaign", spec, "--db", "c.sqlite", cwd=tmp_path), "w_max", "must lie in")
    assert not (tmp_path / "c.sqlite").exists()


def test_a_foreign_sqlite_file_is_refused_and_left_alone(tmp_path):
    db = sqlite3.connect(tmp_path / "other.sqlite")
    db.execute("CREATE TABLE users (name TEXT)")
    db.commit()
    db.close()
    before = (tmp_path / "other.sqlite").read_bytes()
    _one_line_error(_cli("campaign", "show", "--db", "other.sqlite", cwd=tmp_path),
                    "something else", "tables users")
    spec = tmp_path / "s.toml"
    spec.write_text('name = "s"\n[[tasks]]\nkind = "claim_check"\nclaim = "zgj.lemma11"\n')
    _one_line_error(_cli("campaign", spec, "--db", "other.sqlite", cwd=tmp_path), "something else")
    assert (tmp_path / "other.sqlite").read_bytes() == before  # no tables of ours added


def test_a_corrupt_campaign_database_is_refused_as_corrupt(tmp_path):
    from proofs_check.campaign import load_spec, open_store

    spec = tmp_path / "s.toml"
    spec.write_text('name = "s"\n[[tasks]]\nkind = "claim_check"\nclaim = "zgj.lemma11"\n'
                    'seed = {range = [0, 3000]}\n')
    with open_store(tmp_path / "c.sqlite") as store:
        store.register("s", load_spec(spec).tasks())
    sqlite3.connect(tmp_path / "c.sqlite").execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    with open(tmp_path / "c.sqlite", "r+b") as fh:  # overwrite one page in the middle
        fh.seek(4096 * 5)
        fh.write(b"\xa5" * 4096)
    _one_line_error(_cli("campaign", "show", "--db", "c.sqlite", cwd=tmp_path), "c.sqlite", "corrupt")
    _one_line_error(_cli("campaign", spec, "--db", "c.sqlite", "--no-progress", cwd=tmp_path), "corrupt")


# -- numbers, keys, paths -------------------------------------------------------------------------

def test_non_ascii_digits_are_not_numbers(tmp_path):
    """Python reads Arabic-Indic ("١", "٣") and full-width ("１") digits as numbers."""
    (tmp_path / "c.json").write_text(json.dumps({"teacher": [[1, 0]], "student": [["١", 0]]},
                                                ensure_ascii=False), encoding="utf-8")
    _one_line_error(_cli("eval", "c.json", cwd=tmp_path), "student[0][0]", "ASCII")
    _one_line_error(_cli("eval", "c.json", "--dps", "１５", cwd=tmp_path), "--dps", "ASCII")
    _one_line_error(_cli("search", "contrast.pl", "--constant", "٣", cwd=tmp_path), "--constant")


def test_a_repeated_json_key_is_refused_naming_it(tmp_path):
    (tmp_path / "c.json").write_text('{"teacher": [[1, 0]], "student": [[1, 0]], "student": [[0, 1]]}')
    _one_line_error(_cli("eval", "c.json", cwd=tmp_path), "'student' appears twice")


@pytest.mark.parametrize("constant", ["-1", "0", "-1/2"])
def test_search_refuses_a_non_positive_constant(tmp_path, constant):
    _one_line_error(_cli("search", "contrast.pl", f"--constant={constant}", cwd=tmp_path),
                    "--constant", "positive")


def test_missing_parent_directories_are_not_made(tmp_path):
    (tmp_path / "c.json").write_text(json.dumps(_config(2, 2)))
    _one_line_error(_cli("run", "--claims", "zgj.lemmaC7", "--samples", "1", "--json", "no/such/r.json",
                         cwd=tmp_path), "--json", "does not exist")
    assert not (tmp_path / "no").exists()
    # a dangling link whose target's directory is missing (here: at the root) is refused
    target = Path("/") / f"proofs-check-test-{os.getpid()}" / "r.json"
    (tmp_path / "link.json").symlink_to(target)
    _one_line_error(_cli("run", "--claims", "zgj.lemmaC7", "--samples", "1", "--json", "link.json",
                         cwd=tmp_path), "does not exist")
    assert not target.parent.exists()
    # a named directory is made, but not its missing parents
    _one_line_error(_cli("search", "contrast.pl", "--save-dir", "a/b/c", cwd=tmp_path),
                    "--save-dir", "does not exist")
    assert not (tmp_path / "a").exists()


# -- search and replay ----------------------------------------------------------------------------

def _zero_student_counterexample(max_loss: str | None) -> dict:
    """W = 0 for one unit teacher: L = 1/2, grad L = 0, so Theorem 4's margin is -1; it lies
    in the sublevel set only when the search was run with a --max-loss above 1/2."""
    data = {"claim": "zgj.thm4", "claim_id": "zgj.thm4", "constant": None, "margin": "-1", "error": "0",
            "dps": 30, "counterexample": True, "level": "0.5", "family": "stray", "origin": "refined",
            "config": {"teacher": [["1", "0"]], "student": [["0", "0"]], "activation": "abs"}}
    if max_loss is not None:
        data["max_loss"] = max_loss
    return data


def test_replay_applies_the_hypotheses_the_search_recorded(tmp_path):
    (tmp_path / "wide.json").write_text(json.dumps(_zero_student_counterexample("1e+300")))
    proc = _cli("replay", "wide.json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr  # a counterexample under the search's --max-loss
    assert "L(W) <= 1e+300" in proc.stdout
    # the same file without the search's bound: outside the claim's own levels, refused
    (tmp_path / "plain.json").write_text(json.dumps(_zero_student_counterexample(None)))
    _one_line_error(_cli("replay", "plain.json", cwd=tmp_path), "outside the hypotheses")
    _one_line_error(_cli("replay", "wide.json", "--max-loss", "0.01", cwd=tmp_path), "outside the hypotheses")


@pytest.mark.slow
def test_search_with_a_huge_max_loss_and_replay_agree(tmp_path):
    """The issue's case: search zgj.thm4 --max-loss 1e300 found L = 1.05 that replay refused."""
    proc = _cli("search", "zgj.thm4", "--max-loss", "1e300", "--seed", "0", "--budget", "30",
                "--json", "found.json", "--save-dir", "none", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert "above 0.01, the largest loss level" in proc.stderr
    if proc.returncode == 1:
        assert _cli("replay", "found.json", cwd=tmp_path).returncode == 1


def test_sigint_during_search_marks_the_json_file_as_interrupted(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "proofs_check", "search", "zgj.lemma8", "--seed", "0",
                             "--budget", "120", "--json", "best.json", "--save-dir", "none"],
                            cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 200
        while not (tmp_path / "best.json").exists():
            assert proc.poll() is None and time.monotonic() < deadline, "no example before the deadline"
            time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    data = json.loads((tmp_path / "best.json").read_text())
    assert data["interrupted"] is True and data["counterexample"] is False
    assert "cut short" in out and "no counterexample found (" not in out


def test_a_saved_counterexample_keeps_its_provenance(tmp_path):
    """Re-checking the saved file must not rewrite its level, family and origin."""
    saves = tmp_path / "saves"
    saves.mkdir()
    saved = _zero_student_counterexample("1e+300")
    (saves / "zgj.thm4.json").write_text(json.dumps(saved))
    before = (saves / "zgj.thm4.json").read_text()
    proc = _cli("search", "zgj.thm4", "--max-loss", "1e300", "--seed", "0", "--max-examples", "1",
                "--budget", "1", "--refine-steps", "0", "--no-shrink", "--save-dir", "saves",
                "--json", "out.json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "1 saved counterexample re-checked" in proc.stdout
    out = json.loads((tmp_path / "out.json").read_text())
    if "(the saved counterexample, re-checked)" in proc.stdout:  # nothing better was found
        assert (out["level"], out["family"], out["origin"]) == ("0.5", "stray", "refined")
        assert (saves / "zgj.thm4.json").read_text() == before  # not rewritten
    else:  # a better counterexample replaced it, with its own provenance
        assert out["origin"] != "saved" and out["family"] is not None


# -- user claims ----------------------------------------------------------------------------------

USER_CLAIMS = '''
from fractions import Fraction
from flint import arb
from proofs_check.claim import Claim
from proofs_check.verdict import Observation
from proofs_check.verdict import as_ball
from proofs_check.models.teacher_student.gradient_norm import loss_and_gradient_norm
from proofs_check.models.teacher_student.levels import LevelSettings, observe_levels
from proofs_check.models.teacher_student.user_claims import observe_sampled


def _at(claim, config, dps):
    L, g = loss_and_gradient_norm(config, dps)
    return Observation(lhs=g, rhs=as_ball(claim.constant) * arb.exp(arb(3) / 4 * arb.log(L)),
                       scale=L, dps=dps)


def _claim(name, observe, constant, expected="checked"):
    return Claim(id=f"user.{name}", title="gradient bound", source="test", statement=r"\\|\\nabla L\\| \\ge C L^{3/4}",
                 hypotheses="as Theorem 4", lhs="l", rhs="r", relation=">=", expected=expected,
                 observe=observe, at=_at, constant=constant, paper_exponent=Fraction(3, 4),
                 settings=LevelSettings(levels=(1e-2, 1e-4, 1e-6), shapes=((2, 4, 2),)), default_samples=12)


# C = 2 lies between the optimiser's worst ratio (about 1.6) and the sampler's (about 5.4)
DEFAULT = _claim("default", observe_levels, Fraction(2))
SAMPLED = _claim("sampled", observe_sampled, Fraction(2))
HIDDEN = _claim("hidden", observe_levels, None, expected="inconclusive")
'''


@pytest.mark.slow
def test_user_claims_go_through_the_optimiser_by_default(tmp_path):
    """About 20 s under load: three claims, one of them optimised at three levels."""
    (tmp_path / "uc.py").write_text(USER_CLAIMS)
    proc = _cli("run", "--claims", "uc:DEFAULT,uc:SAMPLED,uc:HIDDEN", "--json", "-", "--no-progress",
                cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr  # the default one does not match "checked"
    by_id = {c["id"]: c for c in json.loads(proc.stdout)["claims"]}
    assert by_id["user.default"]["status"] == "refuted"  # the optimiser's worst case is below C = 2
    assert by_id["user.sampled"]["status"] == "checked"  # sampling alone misses it
    assert by_id["user.hidden"]["kind"] == "empirical"  # constant=None: fitted, not an abort


def test_a_hidden_constant_is_searched_with_a_named_stand_in(tmp_path):
    (tmp_path / "uc.py").write_text(USER_CLAIMS)
    proc = _cli("search", "uc:HIDDEN", "--seed", "0", "--max-examples", "3", "--budget", "5",
                "--save-dir", "none", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert "claim user.hidden has constant=None" in proc.stdout and "the constant 1" in proc.stdout


# -- progress -------------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_long_eval_shows_progress(tmp_path):
    (tmp_path / "c.json").write_text(json.dumps(_config(1500, 10)))
    proc = _cli("eval", "c.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "proofs-check eval: evaluating the loss and gradient of m = 1500 neurons" in proc.stderr


def test_a_campaign_task_out_of_memory_says_so_in_its_row(monkeypatch):
    """A task that ran out of memory was stored as an empty "MemoryError:"."""
    import dataclasses

    from proofs_check.campaign import tasks

    def exhausted(**inputs):
        raise MemoryError()

    kind = tasks.TASKS["claim_check"]
    monkeypatch.setitem(tasks.TASKS, "claim_check", dataclasses.replace(kind, run=exhausted))
    task = tasks.TaskInputs("claim_check", (("claim", "zgj.lemma11"), ("samples", None), ("seed", 0)))
    record = tasks.execute("claim_check", task.canonical)
    assert record["status"] == "failed"
    assert record["error"].startswith("out of memory: an allocation failed with ")
