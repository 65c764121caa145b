"""Observations of the teacher-student model at a ladder of loss levels, and the level-set
optimiser's worst cases of a claim on it.

:func:`observe_levels` draws, for each level, Delta-separated teachers and a perturbation
path (:mod:`.samplers`), places the configuration at the level at high precision and
evaluates the claim there with ``claim.at``.  The claim's settings are a
:class:`LevelSettings` (or a subclass): ``levels`` (default 1e-2 ... 1e-8), ``shapes`` (a
tuple of ``(r, m, d)``), ``Delta``, ``w_min``, ``w_max``, ``families``.

:func:`margin_minimisers` finds instead the *worst configurations* of a claim's
:func:`margin_objective` on each level set by optimisation
(:func:`proofs_check.worst_case.minimise_margin`), level by level down the ladder; they are
shared by a claim and its planted twins (cached on the objective, the shapes, levels, seed
and teacher bounds).
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import mpmath
import numpy as np

from numeric.numbers import to_mpf
from proofs_check.errors import UsageError
from proofs_check.models.teacher_student.samplers import FAMILIES, configuration_at_level, random_spec

__all__ = ["DEFAULT_LEVELS", "DEFAULT_SHAPES", "LevelSettings", "observe_levels", "level_samples",
           "margin_objective", "margin_minimisers"]

DEFAULT_LEVELS = tuple(10.0**-k for k in range(2, 9))
DEFAULT_SHAPES = ((2, 2, 2), (2, 3, 3), (2, 4, 3), (3, 4, 3), (3, 6, 4))


@dataclass(frozen=True)
class LevelSettings:
    """Where a configuration claim is sampled: loss ``levels``, network ``shapes``
    ``(r, m, d)``, sampler ``families``, and the teachers' separation ``Delta`` and norm
    bounds ``[w_min, w_max]`` (Assumptions 1 and 2)."""

    levels: tuple = DEFAULT_LEVELS
    shapes: tuple = DEFAULT_SHAPES
    families: tuple = FAMILIES
    Delta: float = 0.5
    w_min: float = 0.8
    w_max: float = 1.2


def level_samples(claim, request, salt=None):
    """Yield ``(level, Sample)`` pairs: ``request.samples`` spread over the levels."""
    p = claim.settings if isinstance(claim.settings, LevelSettings) else LevelSettings()
    levels, shapes, families = tuple(p.levels), tuple(p.shapes), tuple(p.families)
    rng = request.rng(salt or claim.id)
    per_level = max(1, request.samples // len(levels))
    for level in levels:
        for k in range(per_level):
            r, m, d = shapes[rng.integers(len(shapes))]
            family = families[k % len(families)]
            for attempt in range(20):
                spec = random_spec(rng, r, m, d, Delta=p.Delta, w_min=p.w_min, w_max=p.w_max,
                                   family=family)
                try:
                    sample = configuration_at_level(spec, level)
                    break
                except UsageError:
                    continue  # the path does not reach this level; draw another
            else:
                raise UsageError(f"claim {claim.id}: no sampled path reaches loss level {level}")
            yield level, sample
            request.tick()


def observe_levels(claim, request):
    """The default ``observe`` for claims with an ``at(claim, config, dps)``."""
    for level, sample in level_samples(claim, request):
        obs = claim.observe_at(sample.config, sample.dps)
        yield type(obs)(
            lhs=obs.lhs, rhs=obs.rhs, scale=obs.scale, dps=obs.dps,
            witness={**obs.witness, "config": sample.config.to_dict(),
                     "level": mpmath.nstr(level, 3), "family": sample.spec.family},
            group=level,
        )


def margin_objective(claim):
    """The margin objective the level-set optimiser (:func:`proofs_check.worst_case.minimise_margin`)
    minimises for ``claim``, as the claim record it takes: ``claim``'s own left side over the right
    side's scale-free factors (the exponent and any constant dropped, ``bound = 1``), to
    be made as small (lower bounds) or as large (upper bounds, and two-sided claims fitted
    on their largest ratio) as possible.  At a fixed level ``L`` the right side's
    ``L^alpha`` is a constant, so the worst configuration does not depend on the exponent:
    a claim and its planted twins share one ladder of minimisers (and one cache entry)."""
    from proofs_check.claim import Claim
    from proofs_check.claim_judgement import lower_is_worse

    return Claim(id="margin objective", title="", source="", statement="", hypotheses="", lhs="", rhs="",
                 relation=">=" if lower_is_worse(claim) else "<=", expected="inconclusive",
                 observe=observe_levels, at=claim.at, settings=claim.settings)


@functools.lru_cache(maxsize=16)
def margin_minimisers(claim, objective: str, shapes: tuple, levels: tuple, seed: int, Delta: float,
                      w_min: float, w_max: float, iterations: int = 25,
                      top_iterations: int = 100, refresh_families: bool = False) -> tuple:
    """``((shape, WorstCase), ...)``: the smallest margin of ``claim`` (a
    :func:`margin_objective`) found on ``{L = level}`` for each shape and level (levels in
    decreasing order) by :func:`proofs_check.worst_case.minimise_margin` with ``objective``
    (``top_iterations`` steps of the margin descent at the top level, in float64, then
    ``iterations``): from every family at the top level (and a relaxed stray start), then
    continued from the previous level's minimiser
    (:func:`numeric.level_set.rescale_to_level`) and, every fourth level, a fresh relaxed
    stray start (with ``refresh_families``: fresh starts of every family too, for claims
    whose top-level worst case is a branch that stops being the worst further down); then an
    upward pass (:func:`_continued_upwards`) carries any better branch up the ladder.
    Shapes are ``(r, m, d)`` with teachers drawn by seed, ``Delta`` and the norm bounds."""
    from proofs_check.models.teacher_student.samplers import separated_teachers
    from proofs_check.models.teacher_student.worst_case_starts import relaxed_stray_start
    from proofs_check.worst_case import Start, WorstCaseSettings, minimise_margin

    fresh = WorstCaseSettings(starts_per_family=1, objective=objective, seed=seed,
                              margin_iterations=iterations)
    top = dataclasses.replace(fresh, margin_iterations=top_iterations)
    out = []
    for shape in shapes:
        r, m, d = shape
        rng = np.random.default_rng([seed, r, m, d])
        T = separated_teachers(rng, r, d, Delta, w_min, w_max)
        previous, ladder = None, []
        for k, level in enumerate(sorted(levels, reverse=True)):
            if previous is None:
                settings, extra = top, []  # the sampled starts include a relaxed stray one
            else:
                settings = dataclasses.replace(fresh, starts_per_family=0)
                extra = [Start(previous.config, previous.family, "continued")]
                # Fresh starts every fourth level, in case the continued branch is not the
                # worst one there: a relaxed stray (inside the sampled starts with
                # refresh_families).
                if k % 4 == 0 and refresh_families:
                    settings = fresh
                elif k % 4 == 0:
                    new = relaxed_stray_start(T, m, level, rng)
                    extra += [new] if new is not None else []
            try:
                previous = minimise_margin(claim, T, students=m, level=level, settings=settings,
                                           starts=extra)
            except UsageError:  # the continuation did not reach this level: start afresh
                previous = minimise_margin(claim, T, students=m, level=level, settings=fresh)
            ladder.append(previous)
        out += [(shape, wc) for wc in _continued_upwards(claim, T, m, ladder, fresh)]
    return tuple(out)


def _continued_upwards(claim, T, m: int, ladder: list, fresh) -> list:
    """The ladder (levels decreasing) after an upward pass: each level's worst case is also
    sought from the level below's (rescaled up), and the smaller margin kept.  A branch found
    by a fresh start further down (or one the downward continuation lost at a level) is then
    carried up the whole ladder, so that no level keeps a branch that another level shows to
    be beaten there: without it the ladder's local exponents jumped where the branch changed,
    and the fitted interval with them, differently at each seed."""
    from proofs_check.worst_case import Start, minimise_margin

    ladder = list(ladder)
    upward = dataclasses.replace(fresh, starts_per_family=0)
    for i in range(len(ladder) - 2, -1, -1):
        below = ladder[i + 1]
        try:
            up = minimise_margin(claim, T, students=m, level=ladder[i].level, settings=upward,
                                 starts=[Start(below.config, below.family, "continued")])
        except UsageError:
            continue
        if float(to_mpf(up.margin.mid())) < float(to_mpf(ladder[i].margin.mid())):
            ladder[i] = up
    return ladder
