"""Counterexample search: Hypothesis, steered to small margins, then a local descent.

:func:`search` looks for a configuration where a claim's margin
(``claim.margin(claim.at(claim, config, dps))``, an arb ball; see
:mod:`proofs_check.claim`) is *certainly* negative, with the claim's model's
:class:`~proofs_check.search.plan.SearchPlan` (the ``search_plan`` of the model on
:class:`numeric.config.Configuration`, i.e. the teacher-student sublevel sets, :mod:`~proofs_check.search.paper_model` for a paper
model with its own configuration type):

1. the saved counterexample (``<home>/counterexamples/<claim>.json``) of the claim is
   re-evaluated first (:mod:`~proofs_check.search.store`);
2. Hypothesis draws from the plan's strategy, calls ``hypothesis.target(-margin)`` to steer
   towards small margins, and fails on a certainly negative margin, so that Hypothesis
   shrinks the counterexample to a simple one; its example database
   (``<home>/hypothesis-db``) replays it first next time (:mod:`~proofs_check.search.exploration`);
3. the most promising examples (the smallest margins Hypothesis saw) are handed to the
   level-set optimiser (the plan's ``optimise``);
4. the best example seen (and the shrunk one) is refined by a local descent (the plan's
   ``refine``).

``budget`` (seconds) bounds the whole search: Hypothesis gets half of it (then it is
stopped), the optimiser the rest.  When the budget binds, the result depends on the
machine's speed; without it (``budget=None``) the same seed gives the same result.

The project-local ``<home>`` is ``.proofs-check`` under the current directory (CLI:
``--db``, ``--save-dir``).  The best example is written atomically whenever a new best is
found (``json_path``), so an interrupted search keeps it.  Counterexample files are::

    {"claim": "zgj.thm4", "claim_id": "zgj.thm4", "constant": "37", "margin": "-0.12...",
     "error": "3e-40", "dps": 38, "counterexample": true, "level": "1e-3",
     "family": "claim2", "origin": "refined", "config": {"teacher": [...], "student": [...]}}

``config`` is exact (decimal strings of the evaluated rationals), so
:func:`~proofs_check.search.replay.replay` at a higher precision re-evaluates the very same
configuration.
"""
from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable

import numpy as np

from numeric.config import Configuration
from numeric.filtered import ScreenCounts
from proofs_check.claim import Claim
from proofs_check.errors import Terminated, UsageError, check_termination
from proofs_check.models import builtin_models
from proofs_check.registry import paper_of
from proofs_check.search.evaluation import claim_from_reference, model_of, no_at_message
from proofs_check.search.exploration import Exploration, explore
from proofs_check.search.paper_model import paper_model_plan
from proofs_check.search.plan import SearchPlan
from proofs_check.search.results import Candidate, SearchResult
from proofs_check.search.store import ExampleWriter, save_file_in

__all__ = ["DEFAULT_BUDGET", "search"]

#: Seconds for a whole search by default (Hypothesis half, the optimiser the rest).
DEFAULT_BUDGET = 60.0


def _level_set_plan(claim: Claim):
    """The ``search_plan`` hook of the model of ``claim``'s configurations
    (:class:`numeric.config.Configuration`): its paper's model when that declares one, else
    the built-in model that does (user claims have no paper)."""
    paper = paper_of(claim.id)
    own = () if paper is None or paper.model is None else (paper.model,)
    for model in own + builtin_models():
        if model.configuration is Configuration and model.search_plan is not None:
            return model.search_plan
    raise UsageError(f"no model declares a search plan for the configurations of {claim.id}")


class _Progress:
    """The search's state: the best candidate (offered ones that improve it and lie inside
    the claim's hypotheses), the examples Hypothesis evaluated and their levels."""

    def __init__(self, claim, claim_ref, plan: SearchPlan, result: SearchResult,
                 writer: ExampleWriter, on_example, on_best):
        self.claim, self.claim_ref, self.plan, self.result = claim, claim_ref, plan, result
        self.writer, self.on_example, self.on_best = writer, on_example, on_best
        self.best, self.examples, self.pool, self.levels = None, 0, [], []

    def file_json(self, cand: Candidate) -> dict:
        return {**cand.to_json(self.claim_ref, self.claim), **self.plan.file_extras(self.result)}

    def inside_hypotheses(self, cand: Candidate) -> bool:
        """A counterexample counts only inside the claim's hypotheses, checked as replay
        checks them (an example drawn in the searched range meets them by construction)."""
        if not cand.counterexample:
            return True
        outside = self.plan.violations(cand)
        if outside and len(self.result.notes) < 20:
            self.result.notes.append(f"a negative margin outside the hypotheses of {self.claim.id} "
                                     f"was set aside ({'; '.join(outside)})")
        return not outside

    def offer(self, cand: Candidate) -> None:
        check_termination()  # a SIGTERM whose exception was dropped (see errors.py)
        if (self.best is None or cand.key() < self.best.key()) and self.inside_hypotheses(cand):
            self.best = cand
            self.writer.best_improved(cand, json.dumps(self.file_json(cand), indent=1) + "\n")
            if self.on_best is not None:
                self.on_best(cand)

    def record(self, cand: Candidate) -> bool:
        """A Hypothesis example: offered, counted; True when it violates the claim."""
        if cand.level is not None:
            self.levels.append(cand.level)
        self.examples += 1
        self.pool.append(cand)
        self.offer(cand)
        if self.on_example is not None:
            self.on_example(self.examples)
        return cand.counterexample and (self.best is cand or self.inside_hypotheses(cand))


def _checked_claim(claim, claim_ref, max_examples, budget):
    if isinstance(claim, str):
        claim_ref = claim_ref or claim
        claim = claim_from_reference(claim)
    if claim.at is None:
        raise UsageError(no_at_message(claim))
    if max_examples < 1:
        raise UsageError(f"--max-examples = {max_examples} must be a positive integer")
    if budget is not None and not budget > 0:
        raise UsageError(f"--budget = {budget} must be a positive number of seconds")
    return claim, claim_ref or claim.id


def search(claim: Claim | str, *, claim_ref: str | None = None, max_examples: int = 60,
           seed: int = 0, database: str | Path | None = None,
           save_dir: str | Path | None = None, json_path: str | Path | None = None,
           min_loss=None, max_loss=None, shapes=None, families=None, refine_steps: int = 40,
           shrink: bool = True, on_example: Callable[[int], None] | None = None,
           budget: float | None = DEFAULT_BUDGET, optimise: bool = True,
           on_best: Callable[[Candidate], None] | None = None,
           screen: bool = False) -> SearchResult:
    """Search for a certainly negative margin of ``claim``; see the module docstring.

    ``database``: a directory for Hypothesis's example database (None: no database).
    ``save_dir``: where counterexamples are saved as ``<claim>.json`` and read back first
    (None: neither).  ``json_path``: the best example so far is written there atomically
    whenever it improves.  ``on_example(n)`` is called after each evaluated example (a
    ``KeyboardInterrupt`` from it, or from Ctrl-C, ends the search with what it found).
    ``budget``: seconds for the whole search (None: unbounded); ``optimise``: run the
    level-set optimiser on the most promising examples; ``on_best(candidate)`` is called
    whenever the best margin improves (progress).  Same arguments and seed, same result,
    unless the budget binds.  ``screen``: decide each Hypothesis example's margin on the
    float64 enclosure first and on balls only where its sign is uncertain (the verdict is the
    same; :mod:`numeric.filtered`); an example that becomes the best, or a counterexample, is
    re-evaluated on balls, so what is reported and saved is always the all-ball margin.
    Off by default: at the search's shapes (r <= 3, m <= 5) the screen costs about as much as
    the balls, and most examples need the balls anyway (measured in ``benchmarks/bench_core.py``).
    """
    claim, claim_ref = _checked_claim(claim, claim_ref, max_examples, budget)
    clock = time.monotonic()
    out_of_time = lambda share: budget is not None and time.monotonic() - clock > share * budget
    counts, model = ScreenCounts(), model_of(claim)
    plan = (paper_model_plan(claim, model, screen=screen) if model is not None else
            _level_set_plan(claim)(claim, seed=seed, min_loss=min_loss, max_loss=max_loss,
                                 shapes=shapes, families=families, refine_steps=refine_steps,
                                 screen=screen, counts=counts))
    save_file = save_file_in(save_dir, claim_ref) if save_dir is not None else None
    result = SearchResult(claim_ref, claim.id, None, 0, seed, max_examples,
                          *(plan.level_range or (None, None)), claim=claim,
                          scale_name=plan.scale_name, screen_counts=counts)
    result.notes.extend(plan.notes)
    writer = ExampleWriter(json_path, save_file)
    progress = _Progress(claim, claim_ref, plan, result, writer, on_example, on_best)
    try:
        _run_steps(plan, progress, save_file, seed, Exploration(
            max_examples, seed, database, shrink, plan.namespace),
            (lambda: out_of_time(0.5)) if plan.honours_budget else (lambda: False),
            lambda: out_of_time(1.0), optimise)
    except KeyboardInterrupt as exc:
        result.interrupted = True
        result.terminated = isinstance(exc, Terminated)
    writer.raise_error()
    result.best, result.examples = progress.best, progress.examples
    if plan.level_range is None and progress.levels:
        result.min_loss, result.max_loss = min(progress.levels), max(progress.levels)
    writer.finish(result, None if result.best is None
                  else json.dumps(progress.file_json(result.best), indent=1) + "\n")
    return result


def _run_steps(plan: SearchPlan, progress: _Progress, save_file, seed, how: Exploration,
               exploration_out_of_time, out_of_time, optimise: bool) -> None:
    # 1. Saved counterexamples first: the database is keyed to the test's source.
    if save_file is not None and save_file.exists():
        saved = plan.recheck_saved(save_file, progress.result)
        if saved is not None:
            progress.offer(saved)
    # 2. Hypothesis, steered by target(-margin); a certain violation fails the test.
    shrunk = explore(plan.strategy, lambda drawn: plan.evaluate(drawn, progress.best),
                     progress.record, how, exploration_out_of_time)
    if shrunk is not None:
        shrunk = replace(shrunk, origin="shrunk")
    # 3. The level-set optimiser on the most promising examples.
    if optimise and shrunk is None and plan.optimise is not None:
        for cand in plan.optimise(progress.pool, out_of_time):
            progress.offer(cand)
            if cand.counterexample:
                break
    # 4. Local descent from the best example seen (and from the shrunk one).
    if plan.refine is not None:
        rng = np.random.default_rng([seed, 7])
        for start in [c for c in (progress.best, shrunk) if c is not None]:
            for cand in plan.refine(start, rng):
                progress.offer(cand)
