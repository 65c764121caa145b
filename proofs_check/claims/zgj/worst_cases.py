"""Zhou-Ge-Jin's claims observed at their optimised worst cases, and Theorem 4's worst cases
continued far below the optimised ladder.

:func:`observe_minimisers` observes the *worst configurations found by optimisation*
(:func:`proofs_check.models.teacher_student.levels.margin_minimisers`): per shape, the
smallest ``||grad L||_F`` on ``{L = level}`` from every family at the top level, continued
level by level down the ladder.  With ``worst_case_objective = "gradient_norm"`` it is for
claims whose ratio at a fixed loss grows with ``||grad L||_F`` (Theorem 4, the PL contrast:
:func:`gradient_minimisers`, Theorem 4's own objective); with ``"margin"`` it minimises the
claim's own margin (the largest left side of an upper bound: Lemmas 9, 10, 12, C.6).  Its
settings are a :class:`WorstCaseLevelSettings`, whose ``optimise = False`` falls back to
:func:`~proofs_check.models.teacher_student.levels.observe_levels`.
:func:`judge_minimisers` adds the deepest worst case re-evaluated at two precisions
(:func:`deepest_at_two_precisions`).
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from fractions import Fraction

import flint
import mpmath
import numpy as np
from flint import arb

from numeric.numbers import decimal_string, to_mpf
from proofs_check.models.teacher_student.levels import (LevelSettings, margin_minimisers, margin_objective,
                                                       observe_levels)

__all__ = ["DEEP_LEVELS", "WORST_CASE_LEVELS", "WORST_CASE_SHAPES", "WorstCaseLevelSettings",
           "observe_minimisers", "gradient_minimisers", "CONTINUED_LEVELS", "continue_stray_minimiser",
           "worst_case_ladder", "observe_worst_case_ladder", "binding_per_level", "deepest_at_two_precisions",
           "judge_minimisers"]

#: A longer ladder for the exponent fits that decide Theorem 4 and its PL contrast: 15
#: decades narrow the 95% interval of the worst-case exponent to about +-0.05.
DEEP_LEVELS = tuple(10.0**-k for k in range(2, 17))
#: Thirteen levels, twelve decades (1e-2 ... 1e-14): the minimisers' exponent fit.
WORST_CASE_LEVELS = tuple(10.0**-k for k in range(2, 15))
#: Shapes ``(r, m, d)`` whose worst cases the suite optimises, in order of cost.
WORST_CASE_SHAPES = ((1, 2, 2), (2, 4, 3), (3, 6, 4))


@dataclass(frozen=True)
class WorstCaseLevelSettings(LevelSettings):
    """:class:`LevelSettings` for claims observed at optimised worst cases: the shapes
    ``worst_case_shapes`` whose minimisers are followed down ``levels``, the objective the
    optimiser minimises (``"gradient_norm"``: the claim's ratio grows with
    ``||grad L||_F`` at a fixed loss; ``"margin"``: the claim's own margin, by a
    finite-difference descent of ``worst_case_top_iterations`` steps per start at the top
    level, ``worst_case_iterations`` below; ``worst_case_refresh_families``: fresh starts of
    every family every fourth level, not only a relaxed stray one), and
    ``optimise = False`` to observe sampled configurations (``shapes``, ``families``)
    instead."""

    levels: tuple = WORST_CASE_LEVELS
    optimise: bool = True
    worst_case_shapes: tuple = WORST_CASE_SHAPES
    worst_case_objective: str = "gradient_norm"
    worst_case_iterations: int = 25
    worst_case_top_iterations: int = 100
    worst_case_refresh_families: bool = False


def _ladder(levels, samples: int, shapes):
    """``(levels, shapes)`` for a sample budget: one full ladder per shape while the
    budget lasts; below one ladder, an evenly spaced sub-ladder of at least 3 levels."""
    n_shapes = max(1, min(len(shapes), samples // len(levels)))
    if samples < len(levels):
        k = max(3, samples)
        idx = sorted({round(i * (len(levels) - 1) / (k - 1)) for i in range(k)})
        levels = tuple(levels[i] for i in idx)
    return tuple(levels), tuple(shapes[:n_shapes])


def gradient_minimisers(shapes: tuple, levels: tuple, seed: int, Delta: float, w_min: float,
                        w_max: float) -> tuple:
    """The :func:`margin_minimisers` of ``||grad L||_F`` (Theorem 4's left side), shared by
    every claim whose ratio at a fixed loss grows with the gradient norm."""
    from proofs_check.registry import get_claim

    return margin_minimisers(margin_objective(get_claim("zgj.thm4")), "gradient_norm", tuple(shapes),
                             tuple(levels), seed, Delta, w_min, w_max)


#: Levels below the optimised ladder to which its deepest minimiser is continued (1e-20 ... 1e-60).
CONTINUED_LEVELS = tuple(10.0**-k for k in range(20, 61, 10))


def continue_stray_minimiser(config, level, dps: int, newton_steps: int = 8):
    """Theorem 4's worst case at ``level`` from one at a higher level, at ``dps`` digits.

    The minimisers found are small "stray" students (norm ``rho``, ``L ~ rho^4``) at fixed
    angles, and one large student per teacher re-fitted to them (see
    :mod:`proofs_check.claims.zgj.thm4`).  The strays are scaled by ``(level / L)^(1/4)`` and
    the large students re-fitted by Newton's method on their block of the Hessian, in mpmath at
    ``dps`` digits (their block is non-degenerate: one student per teacher), three times; the
    result is then projected on the level.  Raises ``ValueError`` when the configuration is not
    of that shape (no stray, or more large students than teachers)."""
    from numeric.config import Configuration
    from numeric.level_set import LevelSetSettings, project_to_level
    from numeric.precise import evaluate

    T = [list(row) for row in config.teacher]
    with mpmath.workdps(dps):
        W = [[mpmath.mpf(Fraction(x).numerator) / Fraction(x).denominator for x in row] for row in config.student]
        norms = [mpmath.sqrt(sum(x * x for x in row)) for row in W]
        big = [j for j, n in enumerate(norms) if n > max(norms) / 10]
        if len(big) != config.r or len(big) == len(W):
            raise ValueError(f"not a stray minimiser: {len(big)} large students for r = {config.r}")
        d = config.d
        idx = [j * d + k for j in big for k in range(d)]
        for _ in range(3):
            L = evaluate(Configuration(T, W), dps, backend="mpmath", gradient=False).loss
            f = (mpmath.mpf(level) / L) ** (mpmath.mpf(1) / 4)
            W = [[x * f for x in row] if j not in big else row for j, row in enumerate(W)]
            for _ in range(newton_steps):
                e = evaluate(Configuration(T, W), dps, backend="mpmath", hessian=True)
                g = mpmath.matrix([e.gradient[j][k] for j in big for k in range(d)])
                H = mpmath.matrix([[e.hessian[a][b] for b in idx] for a in idx])
                step = mpmath.lu_solve(H, -g)
                W = [list(row) for row in W]
                for n, (j, k) in enumerate((j, k) for j in big for k in range(d)):
                    W[j][k] += step[n]
                if mpmath.norm(step) < mpmath.mpf(10) ** (-dps + 5):
                    break
        rows = project_to_level(np.array(T, dtype=float), np.array(W, dtype=object), level,
                                LevelSetSettings(), dps=dps)
    return Configuration(T, [list(row) for row in rows])


@functools.lru_cache(maxsize=4)
def worst_case_ladder(shapes: tuple, seed: int, Delta: float, w_min: float, w_max: float,
                      continued: tuple = CONTINUED_LEVELS) -> tuple:
    """``((shape, level, config, family, origin), ...)``: Theorem 4's worst cases (the
    :func:`gradient_minimisers` on :data:`WORST_CASE_LEVELS`, 1e-2 ... 1e-14, shared with the
    claims that use them), then the deepest one continued to each level of ``continued`` by
    :func:`continue_stray_minimiser` (origin ``"continued (strays scaled, others re-fitted)"``:
    the level-set descent is steered by a float64 Hessian, which cannot resolve the small
    students' curvature that deep).  Where the statements below ``eps0`` live: the smallest
    gradients found, down to 1e-60."""
    from numeric.level_set import digits_for_level

    out = []
    found = gradient_minimisers(shapes, WORST_CASE_LEVELS, seed, Delta, w_min, w_max)
    for shape in shapes:
        ladder = [wc for s, wc in found if s == shape]
        out += [(shape, wc.level, wc.config, wc.family, wc.origin) for wc in ladder]
        previous = min(ladder, key=lambda wc: wc.level)
        config, family = previous.config, previous.family
        for level in continued:
            try:
                config = continue_stray_minimiser(config, level, digits_for_level(level))
            except (ValueError, ZeroDivisionError):
                break
            out.append((shape, level, config, family, "continued (strays scaled, others re-fitted)"))
    return tuple(out)


def observe_worst_case_ladder(claim, request, shapes: tuple = WORST_CASE_SHAPES[:2]):
    """Observations of ``claim`` at :func:`worst_case_ladder` (the claim's settings give the
    teachers' ``Delta`` and norm bounds), at ``digits_for_level`` digits."""
    from numeric.level_set import digits_for_level

    p = claim.settings if isinstance(claim.settings, LevelSettings) else LevelSettings()
    for shape, level, config, family, origin in worst_case_ladder(tuple(shapes), request.seed, float(p.Delta),
                                                                   float(p.w_min), float(p.w_max)):
        dps = digits_for_level(level)
        obs = claim.observe_at(config, dps)
        request.tick()
        yield type(obs)(lhs=obs.lhs, rhs=obs.rhs, scale=obs.scale, dps=dps, group=level,
                        witness={**obs.witness, "config": config.to_dict(), "level": mpmath.nstr(level, 3),
                                 "family": family, "origin": origin, "shape": list(shape)})


def observe_minimisers(claim, request):
    """Observations of ``claim`` at the worst configurations found by optimisation (see the
    module doc): the gradient-norm minimisers, or the minimisers of the claim's own margin
    (``settings.worst_case_objective``)."""
    p = claim.settings if isinstance(claim.settings, WorstCaseLevelSettings) else WorstCaseLevelSettings()
    if not p.optimise:
        yield from observe_levels(claim, request)
        return
    levels, shapes = _ladder(tuple(p.levels), request.samples, tuple(p.worst_case_shapes))
    if p.worst_case_objective == "gradient_norm":
        found = gradient_minimisers(shapes, levels, request.seed, float(p.Delta), float(p.w_min),
                                    float(p.w_max))
    else:
        found = margin_minimisers(margin_objective(claim), p.worst_case_objective, shapes, levels,
                                  request.seed, float(p.Delta), float(p.w_min), float(p.w_max),
                                  int(p.worst_case_iterations), int(p.worst_case_top_iterations),
                                  bool(p.worst_case_refresh_families))
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


def binding_per_level(claim, observations) -> list:
    """The binding observation of each level (smallest ``lhs / rhs`` for a lower bound,
    largest for an upper bound, as the fit picks it), smallest loss first."""
    from proofs_check.verdict import as_ball, ratio
    from proofs_check.claim_judgement import lower_is_worse

    lower = lower_is_worse(claim)
    worst = {}
    for o in observations:
        r = ratio(o)
        if r is None:
            continue
        value = to_mpf(r.mid())
        key = value if lower else -value
        if o.group not in worst or key < worst[o.group][0]:
            worst[o.group] = (key, o)
    return sorted((o for _, o in worst.values()), key=lambda o: to_mpf(as_ball(o.scale).mid()))


def deepest_at_two_precisions(claim, observations, exponent) -> dict | None:
    """The binding observation at the smallest loss (:func:`binding_per_level`) re-evaluated
    with ``claim.at`` at its precision and at twice it: ``lhs / scale^exponent`` at both
    (``C``, ``C_2x``, 10 digits), with its loss, family, origin and configuration.  A
    constant that agrees at both precisions is not an artefact of the arithmetic."""
    from numeric.config import Configuration
    from proofs_check.verdict import as_ball

    pts = binding_per_level(claim, observations)
    if not pts or "config" not in pts[0].witness:
        return None
    o = pts[0]
    config = Configuration.from_dict(o.witness["config"])
    values = []
    for dps in (o.dps, 2 * o.dps):
        with flint.ctx.workdps(dps):
            again = claim.observe_at(config, dps)
            power = arb.exp(arb.log(as_ball(again.scale)) * as_ball(Fraction(exponent)))
            values.append(decimal_string(as_ball(again.lhs) / power, 10))
    return {"C": values[0], "C_2x": values[1], "dps": o.dps, "exponent": str(Fraction(exponent)),
            "loss": decimal_string(o.scale, 6), "family": o.witness.get("family"),
            "origin": o.witness.get("origin", "sampled"), "config": o.witness["config"]}


def judge_minimisers(claim, observations):
    """The default judgement of a claim observed at its optimised worst cases, plus the
    deepest worst case checked at two precisions against the simplest exponent near the
    fitted one (``figures["<claim id>.worst_case"]``, and a sentence in the notes)."""
    from proofs_check.claim_judgement import judge

    verdict = judge(claim, observations)
    fit = verdict.estimate.fit if verdict.estimate is not None else None
    slope = getattr(fit, "slope", None) if fit is not None else None
    if slope is None:
        return verdict
    exponent = Fraction(slope).limit_denominator(8)
    deepest = deepest_at_two_precisions(claim, observations, exponent)
    if deepest is None:
        return verdict
    pts = binding_per_level(claim, observations)
    figure = {f"{claim.id}.worst_case": {
        "loss": [decimal_string(o.scale, 12) for o in pts],
        "lhs": [decimal_string(o.lhs, 12) for o in pts],
        "family": [o.witness.get("family") for o in pts],
        "origin": [o.witness.get("origin", "sampled") for o in pts],
        "shape": [o.witness.get("shape") for o in pts],
        "fitted_exponent": f"{slope:.6f}", "deepest": deepest,
        "title": claim.title, "lhs_tex": claim.lhs,
        "paper_exponent": None if claim.paper_exponent is None else str(claim.paper_exponent)}}
    note = (f"Worst cases found by optimising the claim's margin on {{L = level}} (not sampled): "
            f"fitted exponent {slope:.5f}; at the deepest level (L = {deepest['loss']}, family "
            f"{deepest['family']}, {deepest['origin']}) lhs / L^({deepest['exponent']}) = "
            f"{deepest['C']} at {deepest['dps']} digits and {deepest['C_2x']} at "
            f"{2 * deepest['dps']} digits.")
    notes = f"{verdict.notes} {note}" if verdict.notes else note
    figures = {**(verdict.figures or {}), **figure}
    return dataclasses.replace(verdict, notes=notes, figures=figures)
