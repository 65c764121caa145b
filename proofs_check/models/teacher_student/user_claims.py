"""Defaults that make a user's claim (``package.module:attribute``) checked as hard as the
registered ones (``docs/user_claims.md``).

* **The margin optimiser by default.**  A claim observed with the plain sampler
  (``observe=observe_levels``) is observed by :func:`observe_levels_and_minimisers`: the
  sampled configurations, then at each of its levels the worst configuration the
  level-set optimiser (:func:`proofs_check.worst_case.minimise_margin`) finds from every
  sampler family, and from the claim's own starts (``settings.worst_case_starts``:
  configurations or their dicts, each with its teacher, placed at each level; a settings
  dataclass of the user's with that field).  Sampling alone can call a claim ``certified`` at
  margin 13 whose optimised worst case is 0.3.  ``observe=observe_sampled`` opts out.
* **A hidden constant is a named stand-in.**  With ``constant=None`` (hidden in O/Theta/Omega)
  the claim's ``at`` is given the claim with ``constant = 1`` (:data:`STAND_IN_CONSTANT`), so
  ``as_ball(claim.constant)`` works; the verdict is still the fitted exponent (the constant
  does not change it), and ``search`` says which constant it used.
"""
from __future__ import annotations

import dataclasses
from fractions import Fraction

import mpmath

from proofs_check.claim import Claim
from proofs_check.models.teacher_student.levels import LevelSettings, margin_minimisers, observe_levels

__all__ = ["as_user_claim", "observe_levels_and_minimisers", "observe_sampled", "STAND_IN_CONSTANT"]

#: The constant a user claim with ``constant=None`` is evaluated with.
STAND_IN_CONSTANT = Fraction(1)

#: Descent steps of the optimiser per start (top level, then each level below).
_TOP_ITERATIONS, _ITERATIONS = 40, 15


def observe_sampled(claim, request):
    """The plain sampler, explicitly: a user claim observed with this is not optimised."""
    yield from observe_levels(claim, request)


def observe_levels_and_minimisers(claim, request):
    """The sampled observations (:func:`observe_levels`), then the optimiser's worst case of
    the claim's own margin at each of its levels (first shape of ``settings.shapes``)."""
    yield from observe_levels(claim, request)
    p = claim.settings if isinstance(claim.settings, LevelSettings) else LevelSettings()
    shapes = tuple(p.shapes)[:1]
    found = list(margin_minimisers(claim, "margin", shapes, tuple(p.levels), request.seed, float(p.Delta),
                                   float(p.w_min), float(p.w_max), _ITERATIONS, _TOP_ITERATIONS, False))
    found += _from_own_starts(claim, tuple(getattr(p, "worst_case_starts", ()) or ()), tuple(p.levels),
                              request.seed)
    for shape, wc in found:
        obs = claim.observe_at(wc.config, wc.dps)
        yield type(obs)(
            lhs=obs.lhs, rhs=obs.rhs, scale=obs.scale, dps=obs.dps,
            witness={**obs.witness, "config": wc.config.to_dict(), "level": mpmath.nstr(wc.level, 3),
                     "family": wc.family, "origin": wc.origin, "shape": list(shape)},
            group=wc.level,
        )
        request.tick()


def _from_own_starts(claim, starts: tuple, levels: tuple, seed: int) -> list:
    """``[(shape, WorstCase)]``: the optimiser from each of the claim's own starts (a
    configuration, with its own teacher), placed at each level."""
    from numeric.config import Configuration
    from proofs_check.worst_case import Start, WorstCaseSettings, minimise_margin

    settings = WorstCaseSettings(starts_per_family=0, objective="margin", seed=seed,
                                 margin_iterations=_TOP_ITERATIONS)
    out = []
    for k, start in enumerate(starts):
        config = start if isinstance(start, Configuration) else Configuration.from_dict(start)
        for level in sorted(levels, reverse=True):
            wc = minimise_margin(claim, [[float(x) for x in row] for row in config.teacher],
                                 students=config.m, level=level, settings=settings,
                                 starts=[Start(config, f"own start {k}", "given")])
            out.append(((config.r, config.m, config.d), wc))
    return out


def _with_stand_in(at):
    def at_with_constant(claim, config, dps):
        if claim.constant is None:
            claim = claim.variant(constant=STAND_IN_CONSTANT)
        return at(claim, config, dps)

    at_with_constant.user_at = at
    at_with_constant.stand_in_constant = STAND_IN_CONSTANT  # named by the search's notes
    return at_with_constant


def as_user_claim(claim: Claim) -> Claim:
    """``claim`` with the defaults above (a claim already given them is returned as is)."""
    changes = {}
    if claim.observe is observe_levels and claim.at is not None:
        changes["observe"] = observe_levels_and_minimisers
    if claim.at is not None and not hasattr(claim.at, "user_at"):
        changes["at"] = _with_stand_in(claim.at)
    return dataclasses.replace(claim, **changes) if changes else claim
