"""The search plan of the teacher-student model (Zhou, Ge, Jin's sublevel sets): samples
from :func:`proofs_check.models.teacher_student.strategies.search_samples` (the claim's shapes and teacher class,
each also made harder: ``m`` up to ``8 r``, ``Delta`` down to 0.1, teacher norms in
``[0.25, 2]``, relaxed specs) at loss levels in ``[min_loss, max_loss]``, each evaluated on
balls at its sample's precision (optionally screened in float64 first), then the level-set
optimiser (:mod:`.search_optimiser`) and the local descent (:mod:`.search_refinement`).
The search engine asks for it through ``Model.search_plan``
(:data:`proofs_check.models.teacher_student.model.TEACHER_STUDENT`)."""
from __future__ import annotations

from numeric.filtered import ScreenCounts
from numeric.numbers import to_mpf
from proofs_check.hypotheses import hypothesis_violations, required_assumptions
from proofs_check.models.teacher_student.levels import DEFAULT_LEVELS, DEFAULT_SHAPES
from proofs_check.errors import UsageError
from proofs_check.models.teacher_student.samplers import FAMILIES
from proofs_check.search.evaluation import margin_at, screens, steering, steering_upper_end
from proofs_check.models.teacher_student.search_optimiser import optimise_promising
from proofs_check.models.teacher_student.search_refinement import refine
from proofs_check.search.plan import DEFAULT_MIN_LOSS, SearchPlan
from proofs_check.search.results import Candidate
from proofs_check.search.store import canonical, exact_file_form, recheck_saved
from proofs_check.models.teacher_student.strategies import search_samples

__all__ = ["SEARCH_SHAPES", "loss_range", "teacher_student_plan"]

#: Shapes ``(r, m, d)`` searched when the claim names none: the suite's, plus wide ones
#: (``m = 8r`` and ``4r``), where several small students can share the loss.
SEARCH_SHAPES = DEFAULT_SHAPES + ((1, 8, 2), (2, 8, 3))


def _setting(claim, name, default):
    """A sampling setting of the claim (``LevelSettings`` fields), or the search's default for
    claims whose settings do not sample configurations."""
    return getattr(claim.settings, name, default)


def loss_range(claim, min_loss, max_loss) -> tuple[float, float]:
    """The loss levels ``[lo, hi]`` searched: the claim's largest level and the search's
    smallest unless given."""
    levels = _setting(claim, "levels", DEFAULT_LEVELS)
    hi = float(max_loss) if max_loss is not None else float(max(levels))
    lo = float(min_loss) if min_loss is not None else float(_setting(claim, "search_min_loss", DEFAULT_MIN_LOSS))
    if not (0 < lo <= hi):
        raise UsageError(f"loss range [--min-loss {lo:g}, --max-loss {hi:g}] needs 0 < min <= max")
    return lo, hi


def teacher_student_plan(claim, *, seed: int, min_loss=None, max_loss=None, shapes=None,
                         families=None, refine_steps: int = 40, screen: bool = False,
                         counts: ScreenCounts | None = None) -> SearchPlan:
    """The plan for a claim on the teacher-student sublevel sets (see the module docstring);
    ``counts`` tallies the margins the float64 screen decided and those it escalated."""
    lo, hi = loss_range(claim, min_loss, max_loss)
    screening = screens(claim, screen)
    top = max(_setting(claim, "levels", DEFAULT_LEVELS))
    notes = ()
    if max_loss is not None and hi > float(top) and "sublevel" in required_assumptions(claim):
        notes = (f"--max-loss {hi:g} is above {float(top):g}, the largest loss level {claim.id} is"
                 " checked at: the paper states it only for L(W) <= eps0, so a counterexample"
                 " above that level tests it outside its hypotheses (replay applies the same"
                 " --max-loss, recorded in the file)",)
    strategy = search_samples(tuple(shapes or _setting(claim, "shapes", SEARCH_SHAPES)),
                              max_loss=hi, min_loss=lo,
                              families=tuple(families or _setting(claim, "families", FAMILIES)),
                              Delta=_setting(claim, "Delta", 0.5),
                              w_min=_setting(claim, "w_min", 0.8),
                              w_max=_setting(claim, "w_max", 1.2))

    def evaluate(sample, best):
        dps = sample.dps
        cfg = canonical(sample.config, dps)

        def settled(m):
            # The screen's ball settles all this example is used for: not a counterexample
            # (those are reported), the steering value, and not better than the best.
            return (bool(m > 0) and steering(m) is not None and best is not None
                    and bool(m.lower() >= best.margin.upper()))

        margin = margin_at(claim, cfg, dps, screen=screening, counts=counts, decided=settled)
        steer = steering(margin)
        if steer is None:  # a ball across a rounding boundary of the steering value
            steer = steering_upper_end(float(to_mpf(margin.mid()) + to_mpf(margin.rad())))
        return Candidate(cfg, margin, dps, sample.level, sample.spec.family, "hypothesis",
                         sample.spec, steer=steer, file_form=exact_file_form)

    return SearchPlan(
        namespace="teacher-student",
        strategy=strategy,
        evaluate=evaluate,
        scale_name="loss level",
        level_range=(lo, hi),
        recheck_saved=lambda save_file, result: recheck_saved(claim, save_file, result, hi),
        violations=lambda cand: hypothesis_violations(claim, cand.config, cand.dps, hi),
        # The sublevel bound searched is the hypothesis replay checks by default (the
        # same hypothesis_violations, the same max_loss).
        file_extras=lambda result: {"max_loss": repr(hi), "interrupted": result.interrupted},
        optimise=lambda pool, stop: optimise_promising(claim, pool, lo, hi, seed, stop),
        refine=lambda start, rng: refine(claim, start, lo, hi, refine_steps, rng),
        notes=notes,
    )
