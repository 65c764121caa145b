"""Worst cases found by optimisation, not sampled: the smallest margin of a claim at a loss level.

:func:`minimise_margin` minimises a claim's margin (``lhs / rhs - 1`` for a lower bound,
``1 - lhs / rhs`` for an upper bound; for Theorem 4 ``||grad L||_F / (kappa L) - 1``) over
configurations with ``L(W) = level`` exactly (to a relative ``1e-12`` at high
precision), from many starts: those the model places at that level
(``Model.worst_case_starts``; the teacher-student model's: every sampler family), and any
configurations the caller adds (Hypothesis's best examples, minimisers of a neighbouring
level).  The descent runs in float64 where the level allows it and on arb
balls below (:mod:`numeric.level_set`); the minimiser it returns is then re-evaluated by
the claim's ``at`` with balls, so ``ratio`` and ``margin`` are certified enclosures *at
that configuration*.  That the configuration is the global worst case is not certified:
it is the best of the local minimisers found from the recorded starts.

Objectives (``settings.objective``):

* ``"gradient_norm"``: the claim's ratio is increasing in ``||grad L||_F`` at fixed
  ``L`` (Theorem 4, the PL contrast, user claims on the gradient norm): a
  Levenberg-Marquardt descent of ``||grad L||_F`` on the level set;
* ``"margin"``: any claim with ``at``: a finite-difference descent of the claim's own
  margin (midpoints of its balls);
* ``"auto"``: the claim's ``settings.worst_case_objective`` if it has one (a field of
  its settings dataclass), else both (the gradient-norm
  minimisers are candidates, then the margin descent runs from the best candidate).
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import flint
import mpmath
import numpy as np

from numeric.config import Configuration
from numeric.level_set import (LevelSetSettings, digits_for_level, minimise_gradient_norm,
                               minimise_on_level, project_to_level, rescale_to_level)
from numeric.numbers import decimal_string, to_mpf
from proofs_check.claim import Claim
from proofs_check.verdict import as_ball
from proofs_check.errors import UsageError

__all__ = ["WorstCaseSettings", "Start", "WorstCase", "minimise_margin", "level_set_model"]

OBJECTIVES = ("auto", "gradient_norm", "margin")


@dataclass(frozen=True)
class WorstCaseSettings:
    """How hard to look.

    ``starts_per_family``: sampled starts of each family in ``families`` (None: every
    family the model's start placer draws, ``Model.start_families``);
    ``objective``: see the module docstring; ``margin_iterations``: steps of the
    finite-difference descent; ``budget``: seconds after which no new start is begun
    (None: no limit); ``seed``: the samplers' seed; ``Delta``, ``w_min``, ``w_max``: the
    sampled teachers when ``teacher`` is None.
    """

    starts_per_family: int = 2
    families: tuple | None = None
    objective: str = "auto"
    level_set: LevelSetSettings = LevelSetSettings()
    margin_iterations: int = 25
    budget: float | None = None
    seed: int = 0

    def __post_init__(self):
        if self.objective not in OBJECTIVES:
            raise UsageError(f"objective = {self.objective!r} is not one of {OBJECTIVES}")
        if self.starts_per_family < 0:
            raise UsageError(f"starts_per_family = {self.starts_per_family} must be >= 0")


@dataclass(frozen=True)
class Start:
    """A starting configuration and where it came from (a family, ``hypothesis``, ...)."""

    config: Configuration
    family: str
    origin: str = "sampler"


@dataclass(frozen=True)
class WorstCase:
    """The smallest ratio found at a loss level.

    ``ratio`` (``lhs / rhs``) and ``margin`` are arb balls evaluated at ``dps`` digits at
    ``config``; ``loss`` is the ball of ``L(config)``; ``family``/``origin`` name the start
    that led there; ``starts`` lists every start with the ratio its descent reached
    (midpoints, floats); ``trajectory`` the objective after each accepted step of the
    winning descent; ``precision`` the arithmetic of that descent.
    """

    claim_id: str
    level: float
    config: Configuration
    ratio: object
    margin: object
    loss: object
    dps: int
    family: str
    origin: str
    starts: tuple = ()
    trajectory: tuple = ()
    precision: str = "float64"

    def to_json(self, digits: int = 12) -> dict:
        return {
            "claim_id": self.claim_id,
            "level": mpmath.nstr(self.level, 6),
            "ratio": decimal_string(self.ratio, digits),
            "ratio_error": mpmath.nstr(to_mpf(self.ratio.rad()), 3),
            "margin": decimal_string(self.margin, digits),
            "loss": decimal_string(self.loss, digits),
            "dps": self.dps,
            "family": self.family,
            "origin": self.origin,
            "precision": self.precision,
            "starts": [{"family": f, "origin": o, "ratio": mpmath.nstr(r, 6)} for f, o, r in self.starts],
            "config": self.config.to_dict(max(40, self.dps + 10)),
        }


def _ratio_and_margin(claim: Claim, config: Configuration, dps: int):
    obs = claim.observe_at(config, dps)
    with flint.ctx.workdps(dps):
        lhs, rhs = as_ball(obs.lhs), as_ball(obs.rhs)
        ratio = lhs / rhs if (rhs > 0 or rhs < 0) else None
        return ratio, claim.margin(obs), obs


def _margin_value(claim: Claim, config: Configuration, dps: int) -> float:
    """The claim's margin at ``config`` (midpoint): what the descents minimise.  For a
    lower bound it is ``lhs/rhs - 1``, for an upper bound ``1 - lhs/rhs``, so the worst
    case of either is its smallest margin."""
    try:
        _, margin, _ = _ratio_and_margin(claim, config, dps)
    except (ValueError, ZeroDivisionError):
        return float("inf")
    value = float(to_mpf(margin.mid()))
    return value if value == value else float("inf")


def _objective(claim: Claim, settings: WorstCaseSettings) -> str:
    if settings.objective != "auto":
        return settings.objective
    return getattr(claim.settings, "worst_case_objective", "auto")


def _rows(W) -> list:
    return [list(row) for row in W]


def level_set_model():
    """The model whose starts :func:`minimise_margin` places when it is given none: the
    built-in model on :class:`numeric.config.Configuration` (teacher and student rows, the
    only configurations the level-set descents of :mod:`numeric.level_set` move) that
    declares ``worst_case_starts``."""
    from proofs_check.models import builtin_models

    for model in builtin_models():
        if model.configuration is Configuration and model.worst_case_starts is not None:
            return model
    raise RuntimeError("no built-in model on numeric.config.Configuration places worst-case starts")


def minimise_margin(claim: Claim, teacher, *, students: int, level,
                    settings: WorstCaseSettings = WorstCaseSettings(), starts=(), model=None) -> WorstCase:
    """The smallest margin of ``claim`` found on ``{L = level}`` (see the module doc): the
    smallest ``lhs / rhs`` of a lower bound, the largest of an upper bound.

    ``teacher``: ``r x d`` rows; ``students``: ``m``; ``starts``: extra :class:`Start` s
    (or configurations) tried first; ``model``: the :class:`proofs_check.models.Model`
    whose ``worst_case_starts`` places the sampled starts (default
    :func:`level_set_model`).  Raises ``UsageError`` when the claim has no ``at`` or no
    start could be placed at the level.
    """
    if claim.at is None:
        raise UsageError(f"claim {claim.id} has no `at(claim, config, dps)`: nothing to minimise")
    level = float(level)
    if not level > 0:
        raise UsageError(f"loss level = {level} must be positive")
    T = np.asarray(teacher, float)
    clock = time.monotonic()
    given = [s if isinstance(s, Start) else Start(s, "given", "given") for s in starts]
    model = level_set_model() if model is None else model
    pool = given + model.worst_case_starts(T, students, level, settings)
    if not pool:
        raise UsageError(f"no start could be placed at loss level {level:.3g}")
    dps = digits_for_level(level, settings.level_set.guard_digits)
    objective = _objective(claim, settings)
    best, tried = None, []
    for start in pool:
        left = None if settings.budget is None else settings.budget - (time.monotonic() - clock)
        if best is not None and left is not None and left <= 0:
            break
        run = settings if left is None else dataclasses.replace(
            settings, level_set=dataclasses.replace(settings.level_set, time_limit=max(left, 0.5)))
        for cand in _descents(claim, T, start, level, dps, objective, run):
            config, trajectory, precision = cand
            try:
                ratio, margin, _ = _ratio_and_margin(claim, config, dps)
            except (ValueError, ZeroDivisionError):
                continue
            if ratio is None:
                continue
            tried.append((start.family, start.origin, float(to_mpf(ratio.mid()))))
            if best is None or float(to_mpf(margin.mid())) < float(to_mpf(best[2].mid())):
                best = (config, ratio, margin, start, trajectory, precision)
    if best is None:
        raise UsageError(f"claim {claim.id}: no start gave a finite ratio at loss level {level:.3g}")
    config, ratio, margin, start, trajectory, precision = best
    from numeric.precise import evaluate

    loss = evaluate(config, dps, backend="arb", gradient=False).loss
    return WorstCase(claim.id, level, config, ratio, margin, loss, dps, start.family, start.origin,
                     tuple(tried), tuple(float(x) for x in trajectory), precision)


def _descents(claim, T, start: Start, level, dps, objective, settings):
    """Yield ``(config, trajectory, precision)``: the start placed on the level (along the
    ray from its anchored minimum when it sits at another level) and its descents."""
    ls = settings.level_set
    activation = start.config.activation
    W = np.array([[float(x) for x in row] for row in start.config.student])
    try:
        W = rescale_to_level(T, W, level, ls, activation)
    except (ValueError, np.linalg.LinAlgError):
        return
    yield _exact_rows(W, T, level, dps, ls, activation), (), "start"
    candidates = [(W, None)]
    if objective in ("gradient_norm", "auto"):
        try:
            res = minimise_gradient_norm(T, W, level, ls, activation)
            candidates.append((res.student, res))
            yield _exact_rows(res.student, T, level, dps, ls, activation), res.trajectory, res.precision
        except (ValueError, np.linalg.LinAlgError):
            pass
    if objective == "auto" and len(candidates) > 1:
        # The gradient-norm descent lowered the claim's margin: the claim is driven by the
        # gradient norm, and the (m d times costlier) margin descent is skipped.
        margins = [_margin_value(claim, _exact_rows(c[0], T, level, dps, ls, activation), dps)
                   for c in candidates]
        if margins[1] < margins[0]:
            return
    if objective in ("margin", "auto"):
        W0 = min(candidates, key=lambda c: float("inf") if c[1] is None else float(c[1].objective))[0]

        def margin_of(rows):
            return _margin_value(claim, Configuration(T.tolist(), _rows(rows), activation), dps)

        try:
            res = minimise_on_level(margin_of, T, W0, level,
                                    dataclasses.replace(ls, iterations=settings.margin_iterations),
                                    activation)
            yield _exact_rows(res.student, T, level, dps, ls, activation), res.trajectory, res.precision
        except (ValueError, np.linalg.LinAlgError):
            pass


def _exact_rows(W, T, level, dps, ls, activation):
    """The minimiser placed on the level at ``dps`` digits (relative ``ls.rtol``)."""
    W = project_to_level(T, W, level, ls, activation, dps=dps)
    return Configuration(T.tolist(), _rows(W), activation)
