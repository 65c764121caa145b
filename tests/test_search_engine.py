"""The search engine's own parts (proofs_check/search/): the example database's namespaces,
Hypothesis's storage kept out of the working directory, one exploration path for every
model, and replay of a paper model's counterexample."""
import json
import os
import sys
from pathlib import Path

from hypothesis import strategies as st
from hypothesis.database import InMemoryExampleDatabase

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flint import arb  # noqa: E402

from proofs_check.cli import main  # noqa: E402
from proofs_check.search.exploration import (Exploration, NamespacedDatabase, explore,  # noqa: E402
                                             hypothesis_storage_in_temporary_directory)
from proofs_check.search.results import Candidate  # noqa: E402


def test_namespaces_keep_entries_apart_and_move_within_one():
    inner = InMemoryExampleDatabase()
    ts, model = NamespacedDatabase(inner, "teacher-student"), NamespacedDatabase(inner, "paper-model")
    ts.save(b"key", b"example")
    assert list(ts.fetch(b"key")) == [b"example"]
    assert list(model.fetch(b"key")) == []
    ts.move(b"key", b"other", b"example")
    assert list(ts.fetch(b"key")) == [] and list(ts.fetch(b"other")) == [b"example"]
    ts.delete(b"other", b"example")
    assert list(inner.fetch(b"teacher-student:other")) == []


def test_hypothesis_home_is_temporary_and_restored(tmp_path):
    from hypothesis import configuration

    before = configuration.storage_directory(intent_to_write=False).home_directory
    with hypothesis_storage_in_temporary_directory():
        inside = configuration.storage_directory(intent_to_write=False).home_directory
        assert inside != before and inside.is_dir()
    assert not inside.exists()
    assert configuration.storage_directory(intent_to_write=False).home_directory == before


def _explore_integers(seed, max_examples=200, upper=10**6):
    """A planted claim on integers, 'n <= 500' (false above 500), through the engine's one
    exploration path; values 3 mod 7 cannot be 'evaluated' and are rejected."""
    seen = []

    def evaluate(n):
        if n % 7 == 3:
            return None  # rejected, as a configuration that cannot be evaluated
        return Candidate(n, arb(500 - n), 30, steer=float(500 - n))

    def record(cand):
        seen.append(cand.config)
        return cand.counterexample

    how = Exploration(max_examples=max_examples, seed=seed)
    return explore(st.integers(0, upper), evaluate, record, how), seen


def test_exploration_finds_and_shrinks_the_planted_violation():
    shrunk, seen = _explore_integers(seed=0)
    assert shrunk is not None and shrunk.counterexample
    assert shrunk.config == 501  # shrunk to the simplest violation (500 itself: margin 0)
    assert all(n % 7 != 3 for n in seen)


def test_exploration_same_seed_same_examples():
    first = _explore_integers(seed=4, max_examples=40, upper=499)
    assert first[0] is None and len(first[1]) >= 20
    assert _explore_integers(seed=4, max_examples=40, upper=499)[1] == first[1]


def test_a_search_leaves_no_hypothesis_directory_for_either_model(tmp_path, monkeypatch):
    from proofs_check.search import search

    monkeypatch.chdir(tmp_path)
    for claim in ("contrast.pl", "du.gram"):  # the teacher-student plan and a paper model's
        result = search(claim, max_examples=3, seed=0, refine_steps=0, optimise=False, budget=None,
                        shrink=False)
        assert result.examples >= 1
    assert os.listdir(tmp_path) == []  # neither .hypothesis/ nor anything else


def test_replaying_a_paper_models_counterexample_prints_the_hidden_constant_note(tmp_path, capsys):
    path = tmp_path / "cx.json"
    path.write_text(json.dumps({
        "claim": "du.lambda0.parallel", "dps": 30,
        "config": {"points": [["1", "0"], ["1", "0.00000001"]], "labels": ["1", "-1"]}}))
    assert main(["replay", str(path)]) == 1
    out = capsys.readouterr().out
    assert "still a counterexample" in out
    assert "note: the constant of du.lambda0.parallel is hidden" in out
    assert main(["replay", str(path), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["hidden_constant"] is True
