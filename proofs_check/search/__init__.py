"""Counterexample search and replay: one engine for every model.

Modules: :mod:`~proofs_check.search.engine` (:func:`search`, the steps composed),
:mod:`~proofs_check.search.exploration` (Hypothesis), :mod:`~proofs_check.search.replay`, :mod:`~proofs_check.search.store` (saved
counterexamples), :mod:`~proofs_check.search.results` (candidates, results, margin strings),
:mod:`~proofs_check.search.evaluation` (a claim's margin and notes),
:mod:`~proofs_check.search.plan` (what the engine needs from a model) with the plan of
:mod:`~proofs_check.search.paper_model`; a model with its own level-set plan returns it from
``Model.search_plan`` (the teacher-student model's, with its optimiser step and local
descent, is :mod:`proofs_check.models.teacher_student.search_plan`).
"""
from proofs_check.search.engine import DEFAULT_BUDGET, search
from proofs_check.search.plan import DEFAULT_MIN_LOSS
from proofs_check.search.evaluation import (claim_from_reference, hidden_constant_note, margin_at,
                                            parse_constant, scale_name_of, screens)
from proofs_check.search.replay import ReplayResult, load_counterexample, replay
from proofs_check.search.results import Candidate, SearchResult, margin_string
from proofs_check.search.store import DEFAULT_HOME, move_aside

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
