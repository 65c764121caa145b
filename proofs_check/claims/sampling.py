"""Observations of configuration claims at a ladder of loss levels.

:func:`observe_levels` draws, for each level, Delta-separated teachers and a perturbation
path (:mod:`proofs_check.samplers`), places the configuration at the level at high
precision and evaluates the claim there with ``claim.at``.  The claim's settings are a
:class:`LevelSettings` (or a subclass): ``levels`` (default 1e-2 ... 1e-8), ``shapes`` (a
tuple of ``(r, m, d)``), ``Delta``, ``w_min``, ``w_max``, ``families``.

:func:`observe_minimisers` observes instead the *worst configurations found by
optimisation* (:func:`proofs_check.worst_case.minimise_margin`): per shape, the smallest
``||grad L||_F`` on ``{L = level}`` from every family at the top level, continued level by
level down the ladder.  It is for claims whose ratio at a fixed loss grows with
``||grad L||_F`` (Theorem 4, the PL contrast); its settings are a
:class:`WorstCaseLevelSettings`, whose ``optimise = False`` falls back to
:func:`observe_levels`.  The minimisers are shared by the claims of one run (cached on the
shapes, levels, seed and teacher bounds).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import mpmath
import numpy as np

from proofs_check.errors import UsageError
from proofs_check.samplers import FAMILIES, configuration_at_level, random_spec

__all__ = ["DEFAULT_LEVELS", "DEEP_LEVELS", "DEFAULT_SHAPES", "WORST_CASE_LEVELS", "WORST_CASE_SHAPES",
           "LevelSettings", "WorstCaseLevelSettings", "observe_levels", "level_samples",
           "observe_minimisers", "gradient_minimisers"]

DEFAULT_LEVELS = tuple(10.0**-k for k in range(2, 9))
#: A longer ladder for the exponent fits that decide Theorem 4 and its PL contrast: 15
#: decades narrow the 95% interval of the worst-case exponent to about +-0.05.
DEEP_LEVELS = tuple(10.0**-k for k in range(2, 17))
DEFAULT_SHAPES = ((2, 2, 2), (2, 3, 3), (2, 4, 3), (3, 4, 3), (3, 6, 4))
#: Thirteen levels, twelve decades (1e-2 ... 1e-14): the minimisers' exponent fit.
WORST_CASE_LEVELS = tuple(10.0**-k for k in range(2, 15))
#: Shapes ``(r, m, d)`` whose worst cases the suite optimises, in order of cost.
WORST_CASE_SHAPES = ((1, 2, 2), (2, 4, 3), (3, 6, 4))


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


@dataclass(frozen=True)
class WorstCaseLevelSettings(LevelSettings):
    """:class:`LevelSettings` for claims observed at optimised worst cases: the shapes
    ``worst_case_shapes`` whose minimisers are followed down ``levels``, the objective the
    optimiser minimises (``"gradient_norm"``: the claim's ratio grows with
    ``||grad L||_F`` at a fixed loss), and ``optimise = False`` to observe sampled
    configurations (``shapes``, ``families``) instead."""

    levels: tuple = WORST_CASE_LEVELS
    optimise: bool = True
    worst_case_shapes: tuple = WORST_CASE_SHAPES
    worst_case_objective: str = "gradient_norm"


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


def _ladder(levels, samples: int, shapes):
    """``(levels, shapes)`` for a sample budget: one full ladder per shape while the
    budget lasts; below one ladder, an evenly spaced sub-ladder of at least 3 levels."""
    n_shapes = max(1, min(len(shapes), samples // len(levels)))
    if samples < len(levels):
        k = max(3, samples)
        idx = sorted({round(i * (len(levels) - 1) / (k - 1)) for i in range(k)})
        levels = tuple(levels[i] for i in idx)
    return tuple(levels), tuple(shapes[:n_shapes])


@functools.lru_cache(maxsize=8)
def gradient_minimisers(shapes: tuple, levels: tuple, seed: int, Delta: float, w_min: float,
                        w_max: float) -> tuple:
    """``((shape, WorstCase), ...)``: the smallest ``||grad L||_F`` found on ``{L = level}``
    for each shape and level (levels in decreasing order), from every family at the top
    level (and a relaxed stray start), then continued from the previous level's minimiser
    (:func:`numeric.level_set.rescale_to_level`) and, every fourth level, a fresh relaxed
    stray start."""
    from proofs_check.claims import get_claim
    from proofs_check.samplers import separated_teachers
    from proofs_check.worst_case import Start, WorstCaseSettings, minimise_margin, relaxed_stray_start

    gradient_claim = get_claim("zgj.thm4").variant(constant=1)
    out = []
    for shape in shapes:
        r, m, d = shape
        rng = np.random.default_rng([seed, r, m, d])
        T = separated_teachers(rng, r, d, Delta, w_min, w_max)
        previous = None
        for k, level in enumerate(sorted(levels, reverse=True)):
            if previous is None:
                settings = WorstCaseSettings(starts_per_family=1, objective="gradient_norm", seed=seed)
                extra = []  # the sampled starts include a relaxed stray one
            else:
                settings = WorstCaseSettings(starts_per_family=0, objective="gradient_norm", seed=seed)
                extra = [Start(previous.config, previous.family, "continued")]
                # A fresh relaxed stray every fourth level, in case the continued branch
                # is not the lowest one there.
                fresh = relaxed_stray_start(T, m, level, rng) if k % 4 == 0 else None
                extra += [fresh] if fresh is not None else []
            try:
                previous = minimise_margin(gradient_claim, T, students=m, level=level,
                                           settings=settings, starts=extra)
            except UsageError:  # the continuation did not reach this level: start afresh
                settings = WorstCaseSettings(starts_per_family=1, objective="gradient_norm", seed=seed)
                previous = minimise_margin(gradient_claim, T, students=m, level=level, settings=settings)
            out.append((shape, previous))
    return tuple(out)


def observe_minimisers(claim, request):
    """Observations of ``claim`` at the gradient-norm minimisers (see the module doc)."""
    p = claim.settings if isinstance(claim.settings, WorstCaseLevelSettings) else WorstCaseLevelSettings()
    if not p.optimise:
        yield from observe_levels(claim, request)
        return
    levels, shapes = _ladder(tuple(p.levels), request.samples, tuple(p.worst_case_shapes))
    found = gradient_minimisers(shapes, levels, request.seed, float(p.Delta), float(p.w_min),
                                float(p.w_max))
    for shape, wc in found:
        obs = claim.observe_at(wc.config, wc.dps)
        yield type(obs)(
            lhs=obs.lhs, rhs=obs.rhs, scale=obs.scale, dps=obs.dps,
            witness={**obs.witness, "config": wc.config.to_dict(), "level": mpmath.nstr(wc.level, 3),
                     "family": wc.family, "origin": wc.origin, "shape": list(shape),
                     "precision": wc.precision},
            group=wc.level,
        )
        request.tick()
