"""Lemma 14 (Lipschitz bound), Zhou, Ge, Jin (COLT 2021), p.13, proof p.46.

If ``L(W) = O(r^2 w_max^2)`` then ``||grad_W L||_F^2 = O(r^3 w_max^3)``, and per neuron
``||grad_{w_k} L|| <= O(r w_max) ||w_k||``.

The ``O`` hides the constants, and the scaling in ``w_max`` is exact by 2-homogeneity
(``w* -> c w*``, ``w -> sqrt(c) w`` scales ``L`` by ``c^2`` and ``||grad||^2`` by ``c^3``), so a
fit in ``w_max`` could not fail.  What the checker certifies instead is the explicit
per-neuron bound behind the lemma (RECONSTRUCTED from the proof's argument, p.46)::

    ||grad_{w_k} L|| = ||w_k|| ||(I + wbar wbar^T) E[R(x) x sgn(w_k.x)]||
                    <= 2 ||w_k|| sup_{|v|=1} E[R(x) (v.x) sgn(w_k.x)] <= 2 ||w_k|| sqrt(2 L),

(``||I + wbar wbar^T|| = 2``, Cauchy-Schwarz with ``E[(v.x)^2] = 1`` and ``||R||^2 = 2L``), which
gives the lemma with explicit constants: with ``L <= kappa r^2 w_max^2`` and Lemma C.5's
``sum ||w_k||^2 <= r w_max (1 + sqrt(pi kappa))``,
``||grad L||_F^2 <= 8 L sum ||w_k||^2 <= 8 kappa (1 + sqrt(pi kappa)) r^3 w_max^3``.

The constant ``2 sqrt 2`` is sharp: for one teacher and one student exactly aligned with it,
``R(x) = c |wbar.x|`` and both inequalities are equalities.  So besides independent random
draws (fresh teachers with norms in ``[w_max/2, w_max]`` for ``w_max`` log-uniform in
``[1e-2, 1e2]``, ``r`` teachers, ``m`` in ``[r, 2r]`` students with a random mass and
direction, far from the minimum too), every fifth draw is near-extremal: one teacher and one
student at angle ``1e-5`` from it (ratio ``1 - O(1e-10)``), so that a constant even ``1e-6``
too small is refuted.  Besides the draws, the bound is checked at Theorem 4's worst cases
found by the optimiser (1e-2 ... 1e-14) and continued down to 1e-60
(:func:`proofs_check.claims.zgj.worst_cases.worst_case_ladder`), where the lemma's region
``L <= eps0`` lies.  Every neuron of every configuration is one instance decided on balls.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import flint
import mpmath
import numpy as np
from flint import arb

from numeric.config import Configuration
from numeric.precise import evaluate
from proofs_check.claim import Claim
from proofs_check.verdict import Observation, as_ball
from proofs_check.claim_judgement import judge_each
from proofs_check.judgement import PaperStatement
from proofs_check.models.teacher_student.samplers import separated_teachers

__all__ = ["CLAIMS", "LipschitzSettings", "lipschitz_draw", "near_extremal_draw", "per_neuron_bound_at",
           "per_neuron_sides"]

DPS = 30


@dataclass(frozen=True)
class LipschitzSettings:
    """Numbers of teachers drawn; the range of ``log10 w_max``; the constant ``c`` of the
    per-neuron bound ``||grad_{w_k} L|| <= c ||w_k|| sqrt(L)`` (``2 sqrt 2`` derived; planted
    twins lower it); ``worst_cases``: also check Theorem 4's worst cases down to 1e-60."""

    rs: tuple = (1, 2, 3, 4, 6)
    log10_w_max: tuple = (-2.0, 2.0)
    c_squared: Fraction = Fraction(8)
    worst_cases: bool = True


def lipschitz_draw(rng, r: int, w_max: float):
    """Teacher rows (norms in ``[w_max/2, w_max]``) and ``m`` in ``[r, 2r]`` student rows whose
    effective mass ``sum ||w_j||^2`` is up to ``3 r w_max``."""
    m = int(rng.integers(r, 2 * r + 1))
    d = r + 1
    T = separated_teachers(rng, r, d, Delta=0.3, w_min=w_max / 2, w_max=w_max)
    shares = rng.dirichlet(np.ones(m)) * rng.uniform(0.05, 3.0) * r * w_max
    dirs = rng.standard_normal((m, d))
    dirs /= np.linalg.norm(dirs, axis=1)[:, None]
    return T, dirs * np.sqrt(np.sqrt(shares))[:, None]  # ||w_j||^2 = share_j


def near_extremal_draw(rng, w_max: float, angle: float = 1e-5):
    """One teacher of norm ``w_max`` and one student at ``angle`` from it with a random norm:
    the per-neuron bound is an equality at ``angle = 0``."""
    d = 3
    t = rng.standard_normal(d)
    t /= np.linalg.norm(t)
    e = rng.standard_normal(d)
    e -= (e @ t) * t
    e /= np.linalg.norm(e)
    w = (np.cos(angle) * t + np.sin(angle) * e) * np.sqrt(rng.uniform(0.05, 3.0) * w_max)
    return np.array([t * w_max]), np.array([w])


def per_neuron_sides(config, dps: int, c_squared) -> list:
    """``[(k, ||grad_{w_k} L||^2, c^2 ||w_k||^2 L), ...]`` as balls for every non-zero neuron
    ``k`` (squares: no square roots of balls), and the loss ball."""
    e = evaluate(config, dps, gradient=True)
    c2 = as_ball(c_squared)
    sides = []
    for k, (row, g) in enumerate(zip(config.student, e.gradient)):
        w2 = as_ball(sum(Fraction(x) ** 2 for x in row))
        if w2 == 0:
            continue
        sides.append((k, sum((x * x for x in g), arb(0)), c2 * w2 * e.loss))
    return sides, e.loss


def per_neuron_bound_at(claim, config, dps):
    """One observation for the search and ``replay``: the neuron whose margin ball has the
    smallest lower end (the suite's own observations check every neuron)."""
    sides, loss = per_neuron_sides(config, dps, claim.settings.c_squared)
    if not sides:
        return Observation(lhs=arb(0), rhs=arb(0), scale=loss, dps=dps)
    k, g2, rhs = min(sides, key=lambda t: float((1 - t[1] / t[2]).lower()) if t[2] > 0 else float("-inf"))
    return Observation(lhs=g2, rhs=rhs, scale=loss, dps=dps,
                       witness={"neuron": k, "ratio": mpmath.nstr(mpmath.mpf((g2 / rhs).mid().str(20, radius=False)), 8)})


def _every_neuron(config, dps, c_squared, group, witness):
    """One observation per neuron of ``config``: every neuron is an instance."""
    with flint.ctx.workdps(dps):
        sides, loss = per_neuron_sides(config, dps, c_squared)
        for k, g2, rhs in sides:
            ratio = g2 / rhs if rhs > 0 else arb(0)
            yield Observation(lhs=g2, rhs=rhs, scale=loss, dps=dps, group=group,
                              witness={**witness, "neuron": k,
                                       "ratio": mpmath.nstr(mpmath.mpf(ratio.mid().str(20, radius=False)), 8)})


def _observe(claim, request):
    """Independent draws (every fifth near-extremal), then Theorem 4's worst cases down to
    1e-60 (:func:`proofs_check.claims.zgj.worst_cases.worst_case_ladder`); every neuron of each."""
    from proofs_check.models.teacher_student.levels import LevelSettings
    from proofs_check.claims.zgj.worst_cases import WORST_CASE_SHAPES, worst_case_ladder
    from numeric.level_set import digits_for_level

    rng = request.rng(claim.id)
    lo, hi = claim.settings.log10_w_max
    for k in range(request.samples):
        r = claim.settings.rs[k % len(claim.settings.rs)]
        w_max = float(10 ** rng.uniform(lo, hi))
        T, S = near_extremal_draw(rng, w_max) if k % 5 == 4 else lipschitz_draw(rng, r, w_max)
        r = len(T)
        config = Configuration(T.tolist(), S.tolist())
        request.tick()
        yield from _every_neuron(config, DPS, claim.settings.c_squared, r,
                                 {"config": config.to_dict(), "origin": "draw",
                                  "params": {"r": r, "m": len(S), "w_max": repr(w_max)}})
    if not claim.settings.worst_cases:
        return
    p = LevelSettings()
    for shape, level, config, family, origin in worst_case_ladder(WORST_CASE_SHAPES[:2], request.seed, p.Delta,
                                                                   p.w_min, p.w_max):
        yield from _every_neuron(config, digits_for_level(level), claim.settings.c_squared, level,
                                 {"config": config.to_dict(), "level": mpmath.nstr(level, 3), "family": family,
                                  "origin": origin, "shape": list(shape)})


def _judge(claim, obs):
    """Every neuron of every configuration decided on balls (:func:`judge_each`), with where
    the instances were drawn in the notes."""
    verdict = judge_each(claim, obs)
    configs = {(o.witness.get("origin"), o.witness.get("level"), str(o.witness.get("shape")),
                o.witness.get("params", {}).get("w_max")) for o in obs}
    deep = [o for o in obs if o.witness.get("level") is not None]
    where = (f"{len(obs)} neuron instances of {len(configs)} configurations: independent draws (w_max log-uniform "
             f"in 10^{list(claim.settings.log10_w_max)}, every fifth near-extremal)"
             + (f" and Theorem 4's worst cases found by the optimiser at {len({o.group for o in deep})} levels "
                f"down to L = {min(float(o.witness['level']) for o in deep):.0e} (shapes (1,2,2), (2,4,3)), "
                f"largest ratio there {max(float(o.witness['ratio']) for o in deep):.4g}" if deep else ""))
    return verdict.amended(notes=f"{verdict.notes}; {where}" if verdict.notes else where)


LEMMA14 = Claim(
    screenable=False,  # its ``at`` picks from a midpoint (see Claim.screenable)
    id="zgj.lemma14",
    title="Lemma 14: per-neuron gradient bound ||grad_{w_k} L|| <= 2 sqrt(2L) ||w_k||",
    source="Zhou, Ge, Jin (COLT 2021), Lemma 14, p.13 (proof p.46)",
    statement=r"\|\nabla_{w_k}L(W)\|\le 2\sqrt{2L(W)}\,\|w_k\|\ \ \forall k,\ \text{hence}\ "
              r"L=O(r^2w_{\max}^2)\Rightarrow\|\nabla_W L\|_F^2=O(r^3w_{\max}^3)",
    hypotheses=r"any $W$ (the explicit form needs no hypothesis; the lemma's $L(W)=O(r^2w_{\max}^2)$ "
               r"and Lemma C.5 turn it into $O(r^3w_{\max}^3)$)",
    lhs=r"\|\nabla_{w_k}L(W)\|^2",
    rhs=r"8\,\|w_k\|^2L(W)",
    relation="<=",
    expected="checked",
    kind="checked",
    paper=PaperStatement("holds", "O(r w_max) ||w_k||; explicit 2 sqrt(2L) derived"),
    drawn_from="every neuron of: random teachers with r in {1, 2, 3, 4, 6}, w_max in [1e-2, 1e2], students of mass up to 3 r w_max (every 5th draw one student 1e-5 rad from its teacher); Theorem 4's worst cases found by the optimiser at 1e-2 ... 1e-14 and continued to 1e-20 ... 1e-60",
    observe=_observe,
    at=per_neuron_bound_at,
    judge=_judge,
    constant=Fraction(1),
    default_samples=40,
    settings=LipschitzSettings(),
    paper_constant=r"$O(\cdot)$ (hidden); explicit form derived: $2\sqrt2$",
)

CLAIMS = (LEMMA14,)
