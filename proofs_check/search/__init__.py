"""Counterexample search and replay: one engine for every model.

Modules: :mod:`~proofs_check.search.engine` (:func:`search`, the steps composed),
:mod:`~proofs_check.search.exploration` (Hypothesis), :mod:`~proofs_check.search.optimiser`
(the level-set optimiser step), :mod:`~proofs_check.search.refinement` (the local descent),
:mod:`~proofs_check.search.replay`, :mod:`~proofs_check.search.store` (saved
counterexamples), :mod:`~proofs_check.search.results` (candidates, results, margin strings),
:mod:`~proofs_check.search.evaluation` (a claim's margin and notes),
:mod:`~proofs_check.search.plan` (what the engine needs from a model) with the plans of
:mod:`~proofs_check.search.teacher_student` and :mod:`~proofs_check.search.paper_model`.
"""
from proofs_check.search.engine import DEFAULT_BUDGET, search
from proofs_check.search.evaluation import (claim_from_reference, hidden_constant_note, margin_at,
                                            parse_constant, scale_name_of, screens)
from proofs_check.search.replay import ReplayResult, load_counterexample, replay
from proofs_check.search.results import Candidate, SearchResult, margin_string
from proofs_check.search.store import DEFAULT_HOME, move_aside
from proofs_check.search.teacher_student import DEFAULT_MIN_LOSS

__all__ = [
    "DEFAULT_HOME",
    "DEFAULT_MIN_LOSS",
    "DEFAULT_BUDGET",
    "Candidate",
    "SearchResult",
    "ReplayResult",
    "search",
    "replay",
    "load_counterexample",
    "claim_from_reference",
    "parse_constant",
    "margin_at",
    "hidden_constant_note",
    "move_aside",
    "margin_string",
    "scale_name_of",
    "screens",
]
