"""Exploration: Hypothesis draws a model's configurations, is steered towards small margins
with ``target(-steer)``, and shrinks a certain violation to a simple example.

One code path for every model: the caller gives the strategy, a function that evaluates a
drawn value to a :class:`~proofs_check.search.results.Candidate` (or None: the value cannot
be evaluated and is rejected with ``assume``), and a function that records a candidate and
says whether it violates the claim (then the Hypothesis test fails, and Hypothesis shrinks).
Only public Hypothesis API is used: ``settings`` (database, phases, health checks,
verbosity), ``seed``, ``given``, ``target``, ``assume``, an :class:`ExampleDatabase`
subclass, and ``hypothesis.configuration``'s storage directory functions.
"""
from __future__ import annotations

import contextlib
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import hypothesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

from proofs_check.search.results import Candidate

__all__ = ["Exploration", "OutOfTime", "NamespacedDatabase", "explore",
           "hypothesis_storage_in_temporary_directory"]


class OutOfTime(KeyboardInterrupt):
    """Stops Hypothesis as Ctrl-C does (it does not shrink or report it), but the search
    goes on: raised when Hypothesis's share of the budget is spent."""


class _Violation(AssertionError):
    """A certainly negative margin inside the claim's hypotheses: fails the Hypothesis test."""


@dataclass(frozen=True)
class Exploration:
    """The settings of one exploration.  ``namespace`` keeps the example database's entries
    of different configuration types apart (the Hypothesis test is the same function)."""

    max_examples: int
    seed: int
    database: str | Path | None = None
    shrink: bool = True
    namespace: str = "teacher-student"


class NamespacedDatabase(ExampleDatabase):
    """An example database whose keys are prefixed by ``namespace``: explorations of
    different configuration types share one directory without replaying each other's
    examples."""

    def __init__(self, inner: ExampleDatabase, namespace: str):
        super().__init__()
        self.inner, self.prefix = inner, namespace.encode() + b":"

    def save(self, key: bytes, value: bytes) -> None:
        self.inner.save(self.prefix + key, value)

    def fetch(self, key: bytes):
        return self.inner.fetch(self.prefix + key)

    def delete(self, key: bytes, value: bytes) -> None:
        self.inner.delete(self.prefix + key, value)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        self.inner.move(self.prefix + src, self.prefix + dest, value)


@contextlib.contextmanager
def hypothesis_storage_in_temporary_directory():
    """Hypothesis caches the constants it finds in local modules under ``./.hypothesis``;
    keep that cache in a temporary directory, so that no stray directory appears and
    nothing a previous run left there can change this one.  Restores the previous home
    (as Hypothesis resolves it: a home set earlier, ``HYPOTHESIS_STORAGE_DIRECTORY``, or
    ``./.hypothesis`` of the directory it was imported in)."""
    from hypothesis import configuration

    previous = configuration.storage_directory(intent_to_write=False).home_directory
    with tempfile.TemporaryDirectory(prefix="proofs-check-hypothesis-") as home:
        configuration.set_hypothesis_home_dir(home)
        try:
            yield
        finally:
            configuration.set_hypothesis_home_dir(previous)


def _target_value(steer: float) -> float:
    return -max(-1e300, min(1e300, steer)) if math.isfinite(steer) else -1e300


def explore(strategy, evaluate: Callable[[object], Candidate | None],
            record: Callable[[Candidate], bool], how: Exploration,
            out_of_time: Callable[[], bool] = lambda: False) -> Candidate | None:
    """Run Hypothesis on ``strategy``: each drawn value is evaluated (``evaluate``), steered
    by its candidate's ``steer`` and recorded (``record``); a candidate ``record`` calls a
    violation fails the test, and Hypothesis shrinks it.  Returns the last violation (the
    shrunk one) or None.  ``out_of_time()`` ends the exploration early (not a failure)."""
    phases = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
    if how.shrink:
        phases.append(Phase.shrink)
    db = (NamespacedDatabase(DirectoryBasedExampleDatabase(str(how.database)), how.namespace)
          if how.database is not None else None)
    failures = []

    @settings(max_examples=how.max_examples, database=db, deadline=None, phases=phases,
              suppress_health_check=list(HealthCheck), derandomize=False,
              verbosity=hypothesis.Verbosity.quiet, print_blob=False)
    @hypothesis.seed(how.seed)
    @given(strategy)
    def probe(drawn):
        if out_of_time():
            raise OutOfTime  # Hypothesis's share of the budget is spent
        cand = evaluate(drawn)
        if cand is None:
            hypothesis.assume(False)  # not evaluable on balls here (measure zero)
        hypothesis.target(_target_value(cand.steer), label="margin")
        if record(cand):
            failures.append(cand)  # the last failure raised is the shrunk one
            raise _Violation("margin < 0")

    try:
        with hypothesis_storage_in_temporary_directory():
            probe()
    except OutOfTime:
        pass  # on to the next steps with what Hypothesis has seen
    except _Violation:
        pass
    except BaseExceptionGroup as group:  # several distinct failures: all are violations
        if not all(isinstance(e, _Violation) for e in group.exceptions):
            raise
    return failures[-1] if failures else None
