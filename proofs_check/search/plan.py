"""What the search engine needs from a model to search one claim on it: a
:class:`SearchPlan`.  The engine (:func:`proofs_check.search.engine.search`) runs every plan
through the same steps; a model without a level-set optimiser or a local descent leaves
those steps out."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from proofs_check.search.results import Candidate, SearchResult

__all__ = ["DEFAULT_MIN_LOSS", "SearchPlan"]

#: The smallest loss level a level-set plan searches by default, far below the claims'
#: default levels: degenerate directions (Claim 2) violate a PL-type bound only below a loss
#: that shrinks like ``mu^3``.
DEFAULT_MIN_LOSS = 1e-24


@dataclass(frozen=True)
class SearchPlan:
    """How one claim is searched on its model.

    * ``strategy``: the Hypothesis strategy of drawn values; ``evaluate(drawn, best)`` turns
      one into a :class:`Candidate` with its ``steer`` set (None: it cannot be evaluated and
      is rejected); ``best`` is the best candidate so far (the float64 screen may settle a
      value that cannot beat it);
    * ``namespace``: the example database's key prefix for this configuration type;
    * ``scale_name`` and ``level_range``: what a candidate's ``level`` measures, and the
      range searched (None: the range the examples covered is reported);
    * ``recheck_saved(save_file, result)``: the saved counterexample as a candidate, or None;
    * ``violations(candidate)``: why a negative margin is outside the claim's hypotheses
      (empty: inside);
    * ``file_extras(result)``: fields the search adds to the counterexample file;
    * ``optimise(pool, stop)`` and ``refine(start, rng)``: the level-set optimiser on the
      examples seen and the local descent from a start, each yielding candidates (None: the
      model has none);
    * ``honours_budget``: whether Hypothesis's share of ``budget`` stops the exploration;
    * ``notes``: warnings for the user, known before the search starts.
    """

    namespace: str
    strategy: object
    evaluate: Callable[[object, Candidate | None], Candidate | None]
    scale_name: str | None
    level_range: tuple[float, float] | None
    recheck_saved: Callable[[Path, SearchResult], Candidate | None]
    violations: Callable[[Candidate], list] = lambda cand: []
    file_extras: Callable[[SearchResult], dict] = lambda result: {}
    optimise: Callable[[list, Callable[[], bool]], Iterator[Candidate]] | None = None
    refine: Callable[[Candidate, object], Iterator[Candidate]] | None = None
    honours_budget: bool = True
    notes: tuple[str, ...] = ()
