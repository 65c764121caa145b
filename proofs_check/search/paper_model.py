"""The search plan of a paper model with its own configuration type (a data set, a network
on data): Hypothesis draws configurations from ``model.strategy()``; each is evaluated on
balls at ``claim.settings.search_dps`` digits when the settings have it (default 30), and
the observation's scale (``Model.scale``, e.g. the smallest input angle) is the example's
level.  A configuration the claim cannot evaluate (a gate or an angle undecided on balls, a
``ValueError`` from ``at``) is rejected.  There is no level-set optimiser or local descent
for these models, and the budget does not stop their exploration."""
from __future__ import annotations

import flint
from flint import arb

from numeric.numbers import to_mpf
from proofs_check.errors import UsageError
from proofs_check.search.plan import SearchPlan
from proofs_check.search.results import Candidate
from proofs_check.search.store import recheck_saved_model_example

__all__ = ["paper_model_plan", "margin_and_scale"]


def margin_and_scale(claim, config, dps: int):
    """The margin ball of ``claim`` at ``config`` and the observation's scale (a float,
    None when the claim's observations have none)."""
    with flint.ctx.workdps(dps):
        obs = claim.at(claim, config, dps)
        margin = claim.margin(obs)
    # A scale ball that is not certainly positive (a degenerate data set, wide balls) says
    # nothing about where the example lies: it is left out of the range.
    scale = obs.scale if isinstance(obs.scale, arb) else (None if obs.scale is None else arb(obs.scale))
    if scale is None or not scale > 0 or scale.rad() > scale.mid() / 1000:
        return margin, None
    return margin, float(to_mpf(scale.mid()))


def paper_model_plan(claim, model, *, screen: bool = False) -> SearchPlan:
    """The plan for ``claim`` on ``model`` (a :class:`proofs_check.models.Model` with a
    ``strategy``)."""
    if model.strategy is None:
        raise UsageError(f"claim {claim.id}: its paper's model has no search strategy")
    dps = int(getattr(claim.settings, "search_dps", 30))

    def evaluate(config, best):
        try:
            margin, level = margin_and_scale(claim, config, dps)
        except (ValueError, ZeroDivisionError):
            return None  # not evaluable on balls here (measure zero)
        cand = Candidate(config, margin, dps, level=level, scale_field="scale")
        return Candidate(config, margin, dps, level=level, scale_field="scale", steer=float(cand.key()))

    notes = ()
    if screen:
        notes = (f"the float64 screen serves teacher-student configurations only; "
                 f"{claim.id}'s margins were all evaluated on balls",)
    return SearchPlan(
        namespace="paper-model",
        strategy=model.strategy(),
        evaluate=evaluate,
        scale_name=model.scale or None,
        level_range=None,
        recheck_saved=lambda save_file, result: recheck_saved_model_example(claim, model, save_file,
                                                                           result),
        honours_budget=False,
        notes=notes,
    )
