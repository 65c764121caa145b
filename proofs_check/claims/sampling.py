"""Observations of configuration claims at a ladder of loss levels.

:func:`observe_levels` draws, for each level, Delta-separated teachers and a perturbation
path (:mod:`proofs_check.samplers`), places the configuration at the level at high
precision and evaluates the claim there with ``claim.at``.  The claim's settings are a
:class:`LevelSettings` (or a subclass): ``levels`` (default 1e-2 ... 1e-8), ``shapes`` (a
tuple of ``(r, m, d)``), ``Delta``, ``w_min``, ``w_max``, ``families``.
"""
from __future__ import annotations

from dataclasses import dataclass

import mpmath

from proofs_check.errors import UsageError
from proofs_check.samplers import FAMILIES, configuration_at_level, random_spec

__all__ = ["DEFAULT_LEVELS", "DEEP_LEVELS", "DEFAULT_SHAPES", "LevelSettings", "observe_levels",
           "level_samples"]

DEFAULT_LEVELS = tuple(10.0**-k for k in range(2, 9))
#: A longer ladder for the exponent fits that decide Theorem 4 and its PL contrast: 15
#: decades narrow the 95% interval of the worst-case exponent to about +-0.05.
DEEP_LEVELS = tuple(10.0**-k for k in range(2, 17))
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
