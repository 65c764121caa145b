"""Lemma C.3 (R_2 is non-negative), Zhou, Ge, Jin (COLT 2021), p.27.

If ``||v_i|| <= alpha`` for all ``i``, then ``|R_1(x)| <= r alpha ||x||`` and, pointwise,

    R_2(x) = sum_i sum_{j in T_i} ||w_j|| w_j.x (sgn(w_j.x) - sgn(w*_i.x))  >=  0.

Each term is ``y (sgn y - sgn z) = |y| - y sgn z >= 0`` (``y = u_j.x``, ``z = w*_i.x``), so
the inequality holds for every configuration and every partition, with or without the sign
convention ``w_j.w*_i >= 0`` and without the hypothesis on ``v_i``: the hypothesis is needed
only for the bound on ``R_1``.  The check evaluates ``R_2`` with balls at Gaussian points and
at adversarial points next to the sign-change hyperplanes of ``w_j`` and ``w*_i`` (the
wedges where ``R_2 > 0``) and at points on the teacher's hyperplane, where the ball of
``w*_i.x`` contains 0 and the enclosure must stay non-negative.

The planted twin ``R_1(x) >= 0`` (``settings.quantity = "R1"``) is false: ``R_1`` changes
sign whenever some ``v_i`` is not a non-negative multiple of ``w*_i``.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
from flint import arb

from numeric.decomposition import decompose, r1_at, r2_at
from proofs_check.claim import Claim
from proofs_check.verdict import Observation
from proofs_check.claim_judgement import base_verdict
from proofs_check.models.teacher_student.levels import LevelSettings, level_samples
from proofs_check.judgement import decide_instances, PaperStatement

__all__ = ["CLAIMS", "probe_points"]

LEVELS = (1e-2, 1e-4, 1e-6, 1e-8)


@dataclass(frozen=True)
class LemmaC3Settings(LevelSettings):
    """``quantity``: ``"R2"`` (the lemma) or ``"R1"`` (a planted false twin);
    ``gaussian_points``: random Gaussian probes besides the structured ones."""

    quantity: str = "R2"
    gaussian_points: int = 12


def probe_points(rng, dec, gaussian: int = 12) -> list:
    """Gaussian points plus points within ``1e-3`` of each sign-change hyperplane (and on the
    teachers' hyperplanes), as float rows (held exactly)."""
    d = dec.config.d
    pts = [rng.standard_normal(d) for _ in range(gaussian)]
    dirs = [np.array([float(x.mid()) for x in row]) for row in dec.teacher_units]
    dirs += [np.array([float(x.mid()) for x in dec.units[j]]) for j in range(dec.config.m)
             if dec.delta[j] is not None]
    for a in dirs:
        g = rng.standard_normal(d)
        x0 = g - (a @ g) * a
        for eps in (-1e-3, 0.0, 1e-3):
            pts.append(x0 + eps * np.linalg.norm(x0) * a)
    return [list(map(float, p)) for p in pts]


def _ball_min(values):
    lo = min(v.lower() for v in values)
    hi = min(v.upper() for v in values)
    mid = (lo + hi) / 2
    return arb(mid.mid(), ((hi - lo) / 2).upper() + mid.rad())


def pointwise_at(claim, config, dps, rng=None):
    rng = rng or np.random.default_rng(0)
    dec = decompose(config, dps, "arb")
    quantity = r1_at if claim.settings.quantity == "R1" else r2_at
    pts = probe_points(rng, dec, claim.settings.gaussian_points)
    values = [quantity(dec, x) for x in pts]
    k = min(range(len(values)), key=lambda i: values[i].lower())
    return Observation(lhs=_ball_min(values), rhs=arb(0), scale=None, dps=dps,
                       witness={"x": [repr(c) for c in pts[k]], "points": len(pts)})


def _observe(claim, request):
    rng = request.rng(claim.id + "/x")
    for level, sample in level_samples(claim, request):
        obs = pointwise_at(claim, sample.config, sample.dps, rng)
        yield dataclasses.replace(
            obs, scale=sample.loss, group=level,
            witness={**obs.witness, "config": sample.config.to_dict(),
                     "level": mpmath.nstr(level, 3), "family": sample.spec.family})


def _judge(claim, obs):
    """Non-strict pointwise inequality: holds when every enclosure is certainly ``>= 0``
    (``R_2`` vanishes exactly wherever the signs agree, so ``> 0`` would be wrong)."""
    margins = [o.lhs - o.rhs for o in obs]
    points = sum(o.witness.get("points", 1) for o in obs)
    levels = sorted({o.group for o in obs if o.group is not None}, reverse=True)
    families = sorted({o.witness.get("family") for o in obs if o.witness.get("family")})
    decision = decide_instances(
        margins, strict=False, margin_kind="absolute",
        drawn_from=(f"{points} probe points x of {len(obs)} random configurations at loss levels "
                    f"{', '.join(f'{g:g}' for g in levels)} (families {', '.join(families)})"))
    i = decision.worst_index or 0
    name = claim.settings.quantity
    return base_verdict(
        claim, obs, decision,
        worst=obs[i].witness, counterexample=obs[i].witness if decision.status == "refuted" else None,
        notes=(f"min over {points} points x ({len(obs)} configurations) of {name}(x), as balls; "
               "each R_2 term is |u.x| - (u.x) sgn(w*.x) >= 0, so R_2 >= 0 holds for every "
               "configuration, sign convention or not, and needs no bound on v_i"),
    )


LEMMAC3 = Claim(
    id="zgj.lemmaC3",
    title="R_2 is pointwise non-negative (Lemma C.3)",
    source="Zhou, Ge, Jin (COLT 2021), Lemma C.3, p.27",
    statement=r"R_2(x)=\sum_{i}\sum_{j\in T_i}\|w_j\|\,w_j^\top x\,\big(\mathrm{sgn}(w_j^\top x)-\mathrm{sgn}(w_i^{*\top}x)\big)\ \ge\ 0\quad\forall x",
    hypotheses=r"$\|v_i\|\le\alpha$ for all $i$ (needed only for $|R_1(x)|\le r\alpha\|x\|$)",
    lhs=r"\min_x R_2(x)",
    rhs=r"0",
    relation=">=",
    expected="checked",
    kind="checked",
    paper=PaperStatement("holds", "R_2 >= 0 pointwise"),
    observe=_observe,
    at=pointwise_at,
    judge=_judge,
    constant=Fraction(0),
    default_samples=16,
    settings=LemmaC3Settings(levels=LEVELS),
    paper_constant="0 (exact)",
)

CLAIMS = (LEMMAC3,)
