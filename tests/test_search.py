"""The counterexample search finds planted counterexamples within a stated budget, and
finds none where a claim holds (Hypothesis's ``tests/quality`` idea).

Budgets: ``max_examples`` is the number of generated examples (shrinking adds calls);
each test states it.  Seeds are fixed, so the outcomes are deterministic.
"""
from __future__ import annotations

import json
import sys
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # examples/ is a directory of the repository, not installed
    sys.path.insert(0, str(ROOT))

import proofs_check  # noqa: E402
from examples.my_claims import FIRST_ORDER, PERTURBED_FIRST_ORDER, SQRT_GRADIENT_BOUND  # noqa: E402
from numeric.numbers import to_fraction, to_mpf  # noqa: E402
from proofs_check.registry import get_claim  # noqa: E402
from proofs_check.cli import main  # noqa: E402
from proofs_check.search import load_counterexample, replay, search  # noqa: E402

BUDGET = 60


def _search(claim, **kw):
    kw.setdefault("max_examples", BUDGET)
    kw.setdefault("seed", 0)
    kw.setdefault("budget", None)  # no time limit: the outcome depends on the seed only
    return search(claim, **kw)


@pytest.fixture(scope="module")
def kappa_hat():
    """Theorem 4's best constant (min of ||grad L|| / L) over the minimisers of its first
    geometry, (r, m, d) = (1, 2, 2), on the 13 levels 1e-2 ... 1e-14."""
    verdict = get_claim("zgj.thm4").check(samples=13)
    return to_fraction(verdict.estimate.constant, "kappa_hat")


# -- planted counterexamples are found -------------------------------------------------------

@pytest.mark.slow  # about 50 s: a full search with the harder draws
@pytest.mark.parametrize("mu", [Fraction(1, 100), Fraction(1, 10**4)])
def test_finds_pl_counterexample_for_fixed_mu(mu):
    # PL margin ||grad||^2 / (mu L) - 1 < 0 needs L below ~(mu / 5)^3 along Claim 2's
    # direction: the search goes down to 1e-24 (DEFAULT_MIN_LOSS).
    result = _search(get_claim("contrast.pl").variant(constant=mu))
    assert result.found and result.best.margin < 0
    assert result.best.family in ("claim2", "stray", "random")


def test_finds_strong_convexity_counterexample():
    result = _search(get_claim("contrast.strong_convexity"), max_examples=20)
    assert result.found


@pytest.mark.slow  # about 50 s: a full search with the harder draws
def test_finds_thm4_counterexample_above_best_constant(kappa_hat):
    result = _search(get_claim("zgj.thm4").variant(constant=2 * kappa_hat))
    assert result.found


def test_catches_perturbed_gradient():
    result = _search(PERTURBED_FIRST_ORDER, max_examples=20, refine_steps=5)
    assert result.found


def test_finds_user_false_claim_by_reference():
    result = _search("examples.my_claims:SQRT_GRADIENT_BOUND", max_examples=20)
    assert result.found and result.claim_id == SQRT_GRADIENT_BOUND.id


# -- and none where the claim holds ----------------------------------------------------------

def test_no_thm4_counterexample_below_best_constant(kappa_hat):
    # kappa_hat / 2 leaves a factor-2 margin below the best constant seen; levels <= 1e-4,
    # where ||grad L|| / L only grows (Theorem 4's ratio behaves like L^{-1/3} or worse).
    result = _search(get_claim("zgj.thm4").variant(constant=kappa_hat / 2), max_loss=1e-4)
    assert not result.found
    assert result.best.margin > 0


def test_no_first_order_counterexample():
    result = _search(FIRST_ORDER, max_examples=20)
    assert not result.found and result.best.margin > 0


# -- replay, reproducibility, interruption ----------------------------------------------------

@pytest.mark.slow  # about 50 s: a full search with the harder draws
def test_replay_reproduces_margin(tmp_path):
    path = tmp_path / "cx.json"
    result = _search(get_claim("contrast.pl").variant(constant=Fraction(1, 100)), json_path=path,
                     max_examples=30)
    assert result.found
    data = json.loads(path.read_text())
    assert data["claim"] == "contrast.pl" and data["counterexample"] is True
    replayed = replay(path)
    assert replayed.dps == 2 * data["dps"] and replayed.counterexample
    digits = len(data["margin"].lstrip("-0.").replace(".", "").split("e")[0])
    with mpmath.workdps(60):
        recorded = mpmath.mpf(data["margin"])
        assert abs(to_mpf(replayed.margin) - recorded) <= abs(recorded) * mpmath.mpf(10) ** (1 - digits)
    assert replayed.agreeing_digits >= digits - 1
    assert main(["replay", str(path)]) == 1  # as for search: 1 = counterexample


def test_replay_of_non_counterexample_exits_0(tmp_path):
    path = tmp_path / "best.json"
    _search(FIRST_ORDER, max_examples=3, json_path=path, refine_steps=0, optimise=False)
    data = json.loads(path.read_text())
    assert data["counterexample"] is False
    assert main(["replay", str(path), "--claim", "examples.my_claims:FIRST_ORDER"]) == 0


def test_same_seed_same_json(tmp_path):
    claim = get_claim("contrast.pl").variant(constant=Fraction(1, 100))
    texts = []
    for k in range(2):
        path = tmp_path / f"run{k}.json"
        _search(claim, max_examples=30, seed=5, json_path=path, refine_steps=5)
        texts.append(path.read_text())
    assert texts[0] == texts[1]


def test_interrupted_search_keeps_best(tmp_path):
    path = tmp_path / "best.json"

    def stop_after(n):
        if n >= 3:
            raise KeyboardInterrupt

    result = _search(get_claim("zgj.thm4"), json_path=path, on_example=stop_after)
    assert result.interrupted and result.examples == 3
    data = json.loads(path.read_text())
    assert load_counterexample(path)["config"].m >= 1 and "margin" in data


def test_cli_search_saves_and_rechecks_first(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["search", "contrast.pl", "--constant", "1/100", "--max-examples", "20",
            "--refine-steps", "3", "--json", "best.json"]
    assert main(argv) == 1
    saved = tmp_path / ".proofs-check" / "counterexamples" / "contrast.pl.json"
    assert saved.exists() and (tmp_path / ".proofs-check" / "hypothesis-db").is_dir()
    assert main(argv) == 1
    assert "1 saved counterexample re-checked" in capsys.readouterr().out
    assert main(["replay", str(saved)]) == 1


def test_cli_interrupt_exits_130(tmp_path, monkeypatch):
    import proofs_check.search as engine

    real = engine.search
    monkeypatch.setattr(engine, "search", lambda *a, **kw: real(*a, **{**kw, "on_example": _interrupt}))
    monkeypatch.chdir(tmp_path)
    assert main(["search", "zgj.thm4", "--max-examples", "10", "--json", "b.json"]) == 130
    assert json.loads((tmp_path / "b.json").read_text())["claim"] == "zgj.thm4"


def _interrupt(n):
    raise KeyboardInterrupt


# -- bad input: exit 2, the field named ------------------------------------------------------

@pytest.mark.parametrize("argv, needle", [
    (["search", "zgj.thm44"], "unknown claim id 'zgj.thm44'"),
    (["search", "examples.my_claims:NOPE"], "has no attribute 'NOPE'"),
    (["search", "no_such_module_xyz:CLAIM"], "cannot import module"),
    (["search", "zgj.thm4", "--max-examples", "0"], "--max-examples"),
    (["search", "zgj.thm4", "--constant", "abc"], "--constant"),
    (["replay", "/nonexistent/cx.json"], "cannot read counterexample file"),
])
def test_bad_input_exits_2(argv, needle, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert needle in captured.err and captured.out == ""


@pytest.mark.parametrize("content, needle", [
    ("{not json", "malformed JSON at line 1"),
    ('{"claim": "contrast.pl", "dps": 40, "config": {"teacher": [[1, 0]]}}', "field 'config'"),
    ('{"claim": "contrast.pl", "dps": "x", "config": {"teacher": [[1, 0]], "student": [[1, 0]]}}', "field 'dps'"),
    ('{"claim": "contrast.pl", "dps": 40, "margin": "oops", "config": {"teacher": [[1, 0]], "student": [[1, 0]]}}',
     "field 'margin'"),
    ('{"teacher": [[1, 0]], "student": [[1, 0]]}', "pass --claim"),
])
def test_malformed_replay_file_exits_2(content, needle, tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text(content)
    assert main(["replay", str(path)]) == 2
    assert needle in capsys.readouterr().err


def test_parameter_claim_without_at_is_refused():
    from proofs_check.errors import UsageError

    claim = get_claim("zgj.thm4").variant(at=None)
    with pytest.raises(UsageError, match="zgj.thm4 has no `at"):
        search(claim, max_examples=1)


# -- the pytest entry point ------------------------------------------------------------------

test_first_order_property = proofs_check.property_test(FIRST_ORDER, max_examples=10)


def test_property_test_fails_with_json():
    test = proofs_check.property_test("contrast.pl", max_examples=20, constant="1/100", refine_steps=0)
    assert test.__name__ == "test_contrast_pl"
    with pytest.raises(AssertionError, match='"claim": "contrast.pl"'):
        test()


# -- the float64 screen from the command line -------------------------------------------------

def test_cli_search_screen_decides_margins_and_says_how_many(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["search", "zgj.thm4", "--constant", "1000", "--max-examples", "8", "--seed", "3",
            "--refine-steps", "2", "--budget", "30", "--save-dir", "none", "--screen"]
    assert main(argv) == 1  # kappa = 1000 is false well inside the searched levels
    out = capsys.readouterr().out
    assert "COUNTEREXAMPLE found" in out
    screened, escalated = (int(x) for x in
                           __import__("re").search(r"float64 screen: (\d+) margins decided on it, "
                                                   r"(\d+) escalated", out).groups())
    assert screened + escalated > 0


def test_claims_that_choose_from_a_midpoint_are_not_screened():
    from proofs_check.search import screens

    assert not screens(get_claim("zgj.lemma14"), True)
    assert not screens(get_claim("zgj.lemma8"), True)
    assert screens(get_claim("zgj.thm4"), True) and not screens(get_claim("zgj.thm4"), False)
