"""Faults a new user runs into (issue 12), each reproduced: files, signals, crashes,
resource limits and reproducibility.  Every check is paired with the nearby case that
must still work, so that a guard that refuses everything would fail too."""
from __future__ import annotations

import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from numeric.config import Configuration
from numeric.errors import ConfigurationError
from proofs_check.files import ensure_writable, read_json_file, write_atomically
from proofs_check.claims.zgj.assumptions import hypothesis_violations, teacher_violations
from proofs_check.registry import get_claim
from proofs_check.cli import main
from proofs_check.errors import UsageError

ROOT = Path(__file__).resolve().parents[1]
FAST_CLAIM = "zgj.lemmaC7"  # a parameter claim that checks in a fraction of a second
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _assert_input_error(code, out, err, *needles):
    assert code == 2, err
    assert out == ""
    assert err.count("\n") == 1, err
    for needle in needles:
        assert needle in err, err


def _write_config(path: Path, teacher, student) -> Path:
    path.write_text(json.dumps({"teacher": teacher, "student": student}))
    return path


# -- files ---------------------------------------------------------------------------------

def test_json_through_a_symlink_keeps_the_link(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "target.json"
    target.write_text("old\n")
    (tmp_path / "link.json").symlink_to("target.json")
    code, _, _ = _run(capsys, ["run", "--claims", FAST_CLAIM, "--json", "link.json", "--no-progress"])
    assert code == 0
    assert (tmp_path / "link.json").is_symlink()
    assert json.loads(target.read_text())["claims"][0]["id"] == FAST_CLAIM


def test_dangling_symlink_is_written_at_its_target(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.json").symlink_to(tmp_path / "sub" / "new.json")
    write_atomically(tmp_path / "link.json", "x\n")
    assert (tmp_path / "link.json").is_symlink() and (tmp_path / "sub" / "new.json").read_text() == "x\n"


def test_dangling_symlink_into_a_missing_directory_is_refused(tmp_path):
    """Its target's directory is not made (it could be anywhere, even at the root)."""
    (tmp_path / "link.json").symlink_to(tmp_path / "missing" / "deeper" / "new.json")
    with pytest.raises(ConfigurationError, match="does not exist"):
        write_atomically(tmp_path / "link.json", "x\n")
    with pytest.raises(ConfigurationError, match="does not exist"):
        ensure_writable(tmp_path / "link.json", "--json")
    assert not (tmp_path / "missing").exists()


def test_fifo_is_refused_and_left_alone(tmp_path, capsys):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    code, out, err = _run(capsys, ["run", "--claims", FAST_CLAIM, "--json", str(fifo), "--no-progress"])
    _assert_input_error(code, out, err, str(fifo), "FIFO")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    with pytest.raises(ConfigurationError, match="FIFO"):
        write_atomically(fifo, "x")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_device_is_refused_and_left_alone():
    before = os.stat("/dev/null")
    for check in (lambda: ensure_writable("/dev/null", "--json"), lambda: write_atomically("/dev/null", "x")):
        with pytest.raises(ConfigurationError, match="'/dev/null' is a device"):
            check()
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_files_honour_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        write_atomically(tmp_path / "r.json", "{}\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "r.json").stat().st_mode) == mode


def test_existing_files_keep_their_mode(tmp_path):
    path = tmp_path / "r.json"
    path.write_text("old")
    path.chmod(0o640)
    write_atomically(path, "new")
    assert path.read_text() == "new" and stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.skipif(IS_ROOT, reason="root may write read-only files; the ENOTDIR cases cover root")
def test_read_only_file_is_not_replaced(tmp_path):
    path = tmp_path / "r.json"
    path.write_text("keep")
    path.chmod(0o444)
    with pytest.raises(ConfigurationError, match="read-only"):
        ensure_writable(path, "--json")
    assert path.read_text() == "keep"


def test_json_dash_writes_the_results_to_stdout(capsys):
    code, out, err = _run(capsys, ["run", "--claims", FAST_CLAIM, "--json", "-", "--no-progress"])
    assert code == 0
    results = json.loads(out)  # stdout is exactly the JSON; the table went to stderr
    assert [c["id"] for c in results["claims"]] == [FAST_CLAIM]
    assert FAST_CLAIM in err and "claims reach the verdict this tool is recorded to reach" in err
    assert not Path("-").exists()


def test_eval_dash_reads_stdin(capsys, monkeypatch, tmp_path):
    config = {"teacher": [[1, 0]], "student": [["0.5", "0.1"], [0, "0.2"]]}
    path = tmp_path / "c.json"
    path.write_text(json.dumps(config))
    assert main(["eval", str(path), "--json", "--dps", "15"]) == 0
    from_file = json.loads(capsys.readouterr().out)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(json.dumps(config).encode())))
    assert main(["eval", "-", "--json", "--dps", "15"]) == 0
    assert json.loads(capsys.readouterr().out) == from_file


def test_eval_dash_names_stdin_in_errors(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"teacher": [[1, 0]]')))
    _assert_input_error(*_run(capsys, ["eval", "-"]), "<stdin>", "malformed JSON")


@pytest.mark.parametrize("argv, needle", [
    (["run", "--json", "", "--claims", FAST_CLAIM], "--json is an empty path"),
    (["run", "--claims", ""], "--claims = '' names no claim id"),
    (["run", "--claims", " , "], "names no claim id"),
    (["run", "--claims", f"{FAST_CLAIM},"], "empty item"),
    (["run", "--claims", f"{FAST_CLAIM},{FAST_CLAIM}"], f"names {FAST_CLAIM} twice"),
    (["report", "--claims", "", "--from", "x.json"], "--claims = ''"),
    (["search", "contrast.pl", "--json", ""], "--json is an empty path"),
    (["search", "contrast.pl", "--save-dir", ""], "--save-dir is an empty path"),
])
def test_empty_and_duplicate_arguments_are_errors(capsys, tmp_path, monkeypatch, argv, needle):
    monkeypatch.chdir(tmp_path)
    if "--from" in argv:
        (tmp_path / "x.json").write_text(json.dumps({"claims": [{"id": FAST_CLAIM}]}))
    _assert_input_error(*_run(capsys, argv), needle)
    assert sorted(p.name for p in tmp_path.iterdir()) == (["x.json"] if "--from" in argv else [])


def _search_argv(save_dir, *extra):
    return ["search", "contrast.pl", "--constant", "1/100", "--max-examples", "20", "--refine-steps", "0",
            "--no-shrink", "--seed", "0", "--save-dir", str(save_dir), *extra]


def test_corrupt_saved_counterexample_is_moved_aside(tmp_path, capsys):
    saved = tmp_path / "contrast.pl.json"
    saved.write_text('{"claim": "contrast.pl", "config": {"teacher": [[1, 0]]')  # truncated
    code, out, err = _run(capsys, _search_argv(tmp_path))
    assert code == 1  # the search itself still runs and finds one
    aside = tmp_path / "contrast.pl.json.corrupt"
    assert aside.read_text().endswith('[[1, 0]]')
    assert "corrupt" in err and str(aside) in err
    assert json.loads(saved.read_text())["counterexample"] is True
    # A second corrupt file does not overwrite the first one set aside.
    saved.write_text("garbage")
    code, _, _ = _run(capsys, _search_argv(tmp_path))
    assert (tmp_path / "contrast.pl.json.corrupt-1").read_text() == "garbage"
    assert aside.read_text().endswith('[[1, 0]]')


def test_valid_saved_counterexample_is_rechecked_not_moved(tmp_path, capsys):
    assert main(_search_argv(tmp_path)) == 1
    capsys.readouterr()
    code, out, err = _run(capsys, _search_argv(tmp_path))
    assert code == 1 and "1 saved counterexample re-checked" in out and "corrupt" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["contrast.pl.json"]


# -- signals and processes -----------------------------------------------------------------

def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry))
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc to find the workers")
@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_stops_the_workers_and_keeps_no_partial_json(tmp_path, signum, code):
    out_json = tmp_path / "results.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "proofs_check", "run", "--claims", "zgj.thm4,zgj.lemma9",
         "--json", str(out_json), "--no-progress"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        workers = _children(proc.pid)
        assert len(workers) >= 2, "the suite did not start its worker processes"
        time.sleep(0.5)  # the workers are inside their claims now
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=30)  # returns only at EOF on both pipes
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code, stderr.decode()
    assert stderr.decode().count("\n") == 1
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if _alive(w)], "a worker outlived its parent"
    assert not out_json.exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # no temporary file either


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
def test_workers_die_with_a_killed_parent(tmp_path):
    """SIGKILL cannot be caught: the workers must notice that their parent is gone."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "proofs_check", "run", "--claims", "zgj.thm4,zgj.lemma9",
         "--json", str(tmp_path / "r.json"), "--no-progress"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = _children(proc.pid)
    time.sleep(0.5)
    proc.kill()
    proc.wait()
    assert len(workers) >= 2
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    orphans = [w for w in workers if _alive(w)]
    for pid in orphans:  # do not leave them running when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not orphans, "a worker outlived its killed parent"
    assert not (tmp_path / "r.json").exists()


def test_sigterm_ends_a_search_with_143_keeping_the_best_example(tmp_path):
    best = tmp_path / "best.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "proofs_check", "search", "zgj.thm4", "--max-examples", "100000",
         "--no-limits", "--seed", "0", "--save-dir", "none", "--json", str(best)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not best.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert best.exists(), "the search wrote no best example"
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 143, stderr.decode()
    assert "terminated; the best example so far is kept" in stderr.decode()
    assert json.loads(best.read_text())["claim"] == "zgj.thm4"
    assert [p.name for p in tmp_path.iterdir()] == ["best.json"]


# -- crashes and exit codes ----------------------------------------------------------------

def test_internal_error_exits_3_with_one_line(capsys, monkeypatch):
    def broken(args):
        raise ZeroDivisionError("planted bug")

    monkeypatch.setattr("proofs_check.commands.list_claims.run", broken)
    code, out, err = _run(capsys, ["list"])
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and "internal error: ZeroDivisionError: planted bug" in err
    assert "please report" in err and "Traceback" not in err
    code, _, err = _run(capsys, ["--debug", "list"])
    assert code == 3 and "Traceback" in err and "planted bug" in err
    code, _, err = _run(capsys, ["list", "--debug"])
    assert code == 3 and "Traceback" in err


def test_findings_and_bad_input_keep_their_codes(capsys, monkeypatch):
    """The distinct internal-error code must not swallow the documented ones."""
    monkeypatch.setattr("proofs_check.commands.list_claims.run", lambda args: 1)
    assert main(["list"]) == 1

    def bad(args):
        raise UsageError("--x = 1 is bad")

    monkeypatch.setattr("proofs_check.commands.list_claims.run", bad)
    code, out, err = _run(capsys, ["list"])
    _assert_input_error(code, out, err, "--x = 1 is bad")


MINIMUM = ([[1, 0], [0, 1]], [[1, 0], [0, 1]])  # L = 0
ZERO_TEACHER = ([[0, 0], [0, 1]], [[1, 0], [0, 1]])
PARALLEL_TEACHERS = ([[1, 0], [-2, 0]], [[1, 0], [0, 1]])
ZERO_STUDENT = ([[1, 0], [0, 1]], [[0, 0], [0, 0]])  # W = 0: L = 1.6, far outside {L <= eps0}


@pytest.mark.parametrize("claim", ["zgj.lemma8", "zgj.lemma9", "zgj.lemma10", "zgj.lemma12", "zgj.lemmaC6"])
def test_replay_at_zero_loss_names_the_cause(tmp_path, capsys, claim):
    path = _write_config(tmp_path / "c.json", *MINIMUM)
    _assert_input_error(*_run(capsys, ["replay", str(path), "--claim", claim]),
                        "outside the hypotheses", "L(W) = 0", "global minimum")


@pytest.mark.parametrize("claim", ["zgj.lemma9", "zgj.lemma12", "zgj.lemmaC6", "zgj.lemmaC3"])
def test_replay_with_a_zero_teacher_row_names_the_cause(tmp_path, capsys, claim):
    path = _write_config(tmp_path / "c.json", *ZERO_TEACHER)
    _assert_input_error(*_run(capsys, ["replay", str(path), "--claim", claim]),
                        "teacher row 0 is the zero vector", "Assumption 2")


def test_replay_outside_the_hypotheses_is_not_a_counterexample(tmp_path, capsys):
    dup = _write_config(tmp_path / "dup.json", *PARALLEL_TEACHERS)
    _assert_input_error(*_run(capsys, ["replay", str(dup), "--claim", "zgj.lemma8"]),
                        "teacher rows 0 and 1 are parallel", "Assumption 1")
    w0 = _write_config(tmp_path / "w0.json", *ZERO_STUDENT)
    _assert_input_error(*_run(capsys, ["replay", str(w0), "--claim", "zgj.thm4"]),
                        "sublevel set", "above 0.01")
    # Asked to take the claim as holding up to L = 2, W = 0 is a counterexample to the
    # stand-in constant 1 (the gradient vanishes); the hidden-constant note says so.
    code, out, _ = _run(capsys, ["replay", str(w0), "--claim", "zgj.thm4", "--max-loss", "2"])
    assert code == 1 and "still a counterexample" in out and "hidden in O/Theta/Omega" in out


def test_every_claim_evaluated_at_a_configuration_declares_its_hypotheses():
    from proofs_check.claims.zgj.assumptions import REQUIRED, required_assumptions
    from proofs_check.registry import all_claims

    # The Zhou-Ge-Jin model's claims (and the contrast claims on it); other papers' claims
    # have their own models and assumptions.
    at_claims = {cid for cid, claim in all_claims().items()
                 if claim.at is not None and cid.startswith(("zgj.", "contrast."))}
    assert at_claims == set(REQUIRED), "add the claim's assumptions to proofs_check.claims.zgj.assumptions.REQUIRED"
    for cid in at_claims:
        assert "nonzero_teachers" in required_assumptions(get_claim(cid))


def test_hypotheses_accept_configurations_just_inside():
    """The near misses of the refused cases are inside the hypotheses."""
    near_parallel = Configuration([[1, 0], [1, "1e-30"]], [[1, 0], [1, "1e-30"]])
    assert teacher_violations(near_parallel) == []
    tiny_loss = Configuration([[1, 0], [0, 1]], [["1.000000000001", 0], [0, 1]])
    for claim in ("zgj.lemma8", "zgj.thm4"):
        assert hypothesis_violations(get_claim(claim), tiny_loss, 40) == []
    just_below = Configuration([[1, 0], [0, 1]], [["1.0488", 0], [0, 1]])  # L ~ 5e-3 < 1e-2
    assert hypothesis_violations(get_claim("zgj.thm4"), just_below, 30) == []
    assert hypothesis_violations(get_claim("zgj.thm4"), just_below, 30, max_loss="1e-3") != []


def test_eval_warns_on_teachers_outside_the_assumptions(tmp_path, capsys):
    path = _write_config(tmp_path / "c.json", *ZERO_TEACHER)
    code, out, err = _run(capsys, ["eval", str(path), "--dps", "10"])
    assert code == 0 and "loss" in out and "warning: teacher row 0 is the zero vector" in err
    path = _write_config(tmp_path / "ok.json", [[1, 0], [1, "1e-30"]], [[1, 0], [0, 1]])
    code, out, err = _run(capsys, ["eval", str(path), "--dps", "10"])
    assert code == 0 and err == ""


def test_user_module_raising_on_import(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "raising_claims.py").write_text("raise RuntimeError('broken at import')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    _assert_input_error(*_run(capsys, ["search", "raising_claims:CLAIM"]),
                        "importing module 'raising_claims' raised RuntimeError: broken at import")


@pytest.mark.parametrize("option", ["--save-dir", "--db"])
def test_unwritable_search_directories_fail_before_the_search(tmp_path, capsys, option):
    blocker = tmp_path / "file"
    blocker.write_text("")
    argv = ["search", "contrast.pl", "--max-examples", "2", option, str(blocker / "sub")]
    if option == "--db":
        argv += ["--save-dir", "none"]
    _assert_input_error(*_run(capsys, argv), option, "Not a directory")


@pytest.mark.skipif(IS_ROOT, reason="root may write read-only directories; covered by ENOTDIR above")
def test_read_only_working_directory_for_search(tmp_path, capsys, monkeypatch):
    tmp_path.chmod(0o555)
    monkeypatch.chdir(tmp_path)
    try:
        _assert_input_error(*_run(capsys, ["search", "contrast.pl", "--max-examples", "2"]),
                            "--db", "Permission denied")
    finally:
        tmp_path.chmod(0o755)


def test_report_out_not_writable(tmp_path, capsys):
    results = tmp_path / "results.json"
    assert main(["run", "--claims", FAST_CLAIM, "--json", str(results), "--no-progress"]) == 0
    capsys.readouterr()
    blocker = tmp_path / "file"
    blocker.write_text("")
    _assert_input_error(*_run(capsys, ["report", "--from", str(results), "--out", str(blocker / "r")]),
                        "--out", "Not a directory")
    if not IS_ROOT:
        ro = tmp_path / "ro"
        ro.mkdir(mode=0o555)
        _assert_input_error(*_run(capsys, ["report", "--from", str(results), "--out", str(ro)]),
                            "--out", "Permission denied")


@pytest.mark.parametrize("content, needle", [
    ('{"teacher": [[1, 0]], "student": [[1, 0]]}'.encode("utf-16"), "UTF-16 text"),
    (bytes(range(256)), "binary file"),
    (b'{"teacher": [[1, 0]], "student": [["0.5\xff", 0]]}', "not UTF-8"),
    (("[" * 100_000 + "]" * 100_000).encode(), "nested too deeply"),
])
def test_unreadable_input_files(tmp_path, capsys, content, needle):
    path = tmp_path / "c.json"
    path.write_bytes(content)
    _assert_input_error(*_run(capsys, ["eval", str(path)]), "c.json", needle)


def test_utf8_with_a_byte_order_mark_is_read():
    text = '{"teacher": [[1, 0]], "student": [[1, 0]]}'
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"bom-{os.getpid()}.json"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    try:
        assert read_json_file(path, "configuration file") == json.loads(text)
    finally:
        path.unlink()


# -- resource limits -----------------------------------------------------------------------

@pytest.mark.parametrize("argv, needle", [
    (["eval", "c.json", "--dps", "1000000"], "--dps = 1000000 is above the limit"),
    (["replay", "c.json", "--claim", "zgj.thm4", "--dps", "100000"], "--dps = 100000"),
    (["run", "--samples", "1000000000"], "--samples = 1000000000"),
    (["report", "--samples", "1000000000"], "--samples = 1000000000"),
    (["search", "contrast.pl", "--max-examples", "1000000000", "--save-dir", "none"], "--max-examples"),
])
def test_resource_limits(tmp_path, capsys, monkeypatch, argv, needle):
    monkeypatch.chdir(tmp_path)
    _write_config(tmp_path / "c.json", [[1, 0]], [["0.9", "0.1"]])
    _assert_input_error(*_run(capsys, argv), needle, "--no-limits")


def test_recorded_precision_is_capped_too(tmp_path, capsys):
    config = {"teacher": [[1, 0]], "student": [["1.01", 0], [0, "0.01"]]}  # L ~ 2e-4
    path = tmp_path / "cx.json"
    path.write_text(json.dumps({"claim": "zgj.thm4", "dps": 10**9, "config": config}))
    _assert_input_error(*_run(capsys, ["replay", str(path)]), "2000000000 digits", "--no-limits")
    # The same file at an explicit precision is replayed.
    code, out, _ = _run(capsys, ["replay", str(path), "--dps", "40"])
    assert code in (0, 1) and "40 digits" in out
    # As a saved counterexample, it is set aside, not evaluated at 10^9 digits.
    path.rename(tmp_path / "zgj.thm4.json")
    code, _, err = _run(capsys, ["search", "zgj.thm4", "--max-examples", "1", "--refine-steps", "0",
                                 "--no-shrink", "--seed", "0", "--save-dir", str(tmp_path)])
    assert code == 0 and "field 'dps' = 1000000000 is above 2000" in err
    assert (tmp_path / "zgj.thm4.json.corrupt").exists()


def test_long_decimal_strings_are_refused_quickly_unless_lifted(tmp_path, capsys):
    path = _write_config(tmp_path / "c.json", [[1, 0]], [["0." + "3" * 1_000_000, 0]])
    _assert_input_error(*_run(capsys, ["eval", str(path), "--dps", "5"]),
                        "student[0][0] is a decimal string of 1000002 characters", "--no-limits")
    just_over = _write_config(tmp_path / "d.json", [[1, 0]], [["0." + "3" * 10_000, 0]])
    code, _, _ = _run(capsys, ["eval", str(just_over), "--dps", "5"])
    assert code == 2
    code, out, err = _run(capsys, ["eval", str(just_over), "--dps", "5", "--no-limits"])
    assert code == 0 and "loss" in out


# -- reproducibility -----------------------------------------------------------------------

def test_same_seed_same_result_and_no_stray_directories(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = ["search", "contrast.pl", "--constant", "1/100", "--max-examples", "12",
            "--refine-steps", "2", "--seed", "3", "--save-dir", "none", "--json", "-"]
    outputs = []
    for _ in range(2):
        code, out, err = _run(capsys, argv)
        assert code == 1
        summary = [line for line in err.splitlines() if not line.startswith("search: best margin so far")]
        outputs.append((json.loads(out), summary))  # progress lines are timed, the rest is not
    assert outputs[0] == outputs[1]
    assert list(tmp_path.iterdir()) == []  # no .hypothesis/, no example database


def test_without_seed_the_example_database_is_kept(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, _ = _run(capsys, ["search", "contrast.pl", "--constant", "1/100", "--max-examples", "20",
                               "--refine-steps", "0", "--no-shrink", "--save-dir", "none"])
    assert code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [".proofs-check"]
    assert (tmp_path / ".proofs-check" / "hypothesis-db").is_dir()
