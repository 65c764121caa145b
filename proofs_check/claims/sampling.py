"""Observations of configuration claims at a ladder of loss levels.

:func:`observe_levels` draws, for each level, Delta-separated teachers and a perturbation
path (:mod:`proofs_check.samplers`), places the configuration at the level at high
precision and evaluates the claim there with ``claim.at``.  Claim parameters used (all
optional, in ``claim.params``): ``levels`` (default 1e-2 ... 1e-8), ``shapes`` (a list of
``(r, m, d)``), ``Delta``, ``w_min``, ``w_max``, ``families``.
"""
from __future__ import annotations

import mpmath

from proofs_check.errors import UsageError
from proofs_check.samplers import FAMILIES, configuration_at_level, random_spec

__all__ = ["DEFAULT_LEVELS", "DEEP_LEVELS", "DEFAULT_SHAPES", "observe_levels", "level_samples"]

DEFAULT_LEVELS = tuple(10.0**-k for k in range(2, 9))
#: A longer ladder for the exponent fits that decide Theorem 4 and its PL contrast: 15
#: decades narrow the 95% interval of the worst-case exponent to about +-0.05.
DEEP_LEVELS = tuple(10.0**-k for k in range(2, 17))
DEFAULT_SHAPES = ((2, 2, 2), (2, 3, 3), (2, 4, 3), (3, 4, 3), (3, 6, 4))


def level_samples(claim, request, salt=None):
    """Yield ``(level, Sample)`` pairs: ``request.samples`` spread over the levels."""
    p = claim.params
    levels = tuple(p.get("levels", DEFAULT_LEVELS))
    shapes = tuple(p.get("shapes", DEFAULT_SHAPES))
    families = tuple(p.get("families", FAMILIES))
    rng = request.rng(salt or claim.id)
    per_level = max(1, request.samples // len(levels))
    for level in levels:
        for k in range(per_level):
            r, m, d = shapes[rng.integers(len(shapes))]
            family = families[k % len(families)]
            for attempt in range(20):
                spec = random_spec(rng, r, m, d, Delta=p.get("Delta", 0.5),
                                   w_min=p.get("w_min", 0.8), w_max=p.get("w_max", 1.2),
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
