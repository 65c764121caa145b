"""Lemma 14 (Lipschitz bound), Zhou, Ge, Jin (COLT 2021), p.13, proof p.46.

If ``L(W) = O(r^2 w_max^2)`` then ``||grad_W L||_F^2 = O(r^3 w_max^3)``, and per neuron
``||grad_{w_k} L|| <= O(r w_max) ||w_k||``.  The constant is hidden, so the checker judges
the shape in ``w_max``: teachers are scaled by ``w_max`` (norms in ``[w_max/2, w_max]``),
students are drawn with comparable norms (``sum ||w_j||^2`` up to ``3 r w_max``), far from
the minimum too, and only samples with ``L <= r^2 w_max^2`` are kept (the hypothesis with
constant 1).  The scale variable is ``1/w_max`` (so that ``w_max`` large is the limit
``scale -> 0`` of the base conventions): the worst ``||grad||^2`` per ``w_max`` must grow
no faster than ``w_max^3`` (fitted exponent in ``1/w_max`` ``>= -3``).  The best constant
``max ||grad||^2 / (r^3 w_max^3)`` and the per-neuron ratio are reported.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
from flint import arb

from numeric.config import Configuration
from numeric.precise import evaluate
from numeric.precision import to_mpf
from proofs_check.claims.base import Claim, Observation, as_ball, judge
from proofs_check.samplers import separated_teachers

__all__ = ["CLAIMS", "lipschitz_sample"]

DEFAULT_WMAX = (0.1, 0.3, 1.0, 3.0, 10.0)
DEFAULT_R = (1, 2, 3, 4)


def lipschitz_sample(rng, r: int, m: int, d: int):
    """Unit-scale draw: teacher rows (norms in [1/2, 1]) and student rows, as float arrays.

    Scaling the teacher by ``s`` and students by ``sqrt(s)`` gives the draw at ``w_max = s``.
    """
    T = separated_teachers(rng, r, d, Delta=0.3, w_min=0.5, w_max=1.0)
    mass = rng.uniform(0.05, 3.0) * r  # sum ||w_j||^2 in units of w_max
    shares = rng.dirichlet(np.ones(m)) * mass
    dirs = rng.standard_normal((m, d))
    dirs /= np.linalg.norm(dirs, axis=1)[:, None]
    S = dirs * np.sqrt(shares)[:, None]
    return T, S


def _observe(claim, request):
    p = claim.params
    levels = tuple(p.get("w_max", DEFAULT_WMAX))
    rs = tuple(p.get("r", DEFAULT_R))
    power = claim.paper_exponent  # exponent of w_max in the rhs, as a negative power of 1/w_max
    rng = request.rng(claim.id)
    per = max(1, request.samples // len(levels))
    draws = []
    while len(draws) < per:
        r = rs[len(draws) % len(rs)]
        m = int(rng.integers(r, 2 * r + 1))
        draws.append((r, m, lipschitz_sample(rng, r, m, r + 1)))
    dps = 30
    for w in levels:
        wq = Fraction(w)
        for r, m, (T, S) in draws:
            with mpmath.workdps(dps):
                sw = mpmath.sqrt(mpmath.mpf(w))
                config = Configuration([[mpmath.mpf(x) * w for x in row] for row in T],
                                       [[mpmath.mpf(x) * sw for x in row] for row in S])
            e = evaluate(config, dps, gradient=True)
            if not e.loss < as_ball(r * r * wq * wq):
                continue  # outside the hypothesis L <= r^2 w_max^2
            g2 = sum((g * g for row in e.gradient for g in row), arb(0))
            per_neuron = max(
                (to_mpf(arb.sqrt(sum((g * g for g in row), arb(0)).nonnegative_part()).mid())
                 / (r * w * float(np.linalg.norm(S[j])) * float(np.sqrt(w)))
                 for j, row in enumerate(e.gradient) if np.linalg.norm(S[j]) > 0), default=0)
            rhs = as_ball(r) ** 3 * as_ball(wq) ** int(-power)
            request.tick()
            yield Observation(lhs=g2, rhs=rhs, scale=as_ball(1 / wq), dps=dps, group=w,
                              witness={"config": config.to_dict(),
                                       "params": {"r": r, "m": m, "w_max": w,
                                                  "per_neuron_ratio": mpmath.nstr(per_neuron, 6)}})


def _judge(claim, obs):
    v = judge(claim, obs)
    worst_neuron = max((float(o.witness["params"]["per_neuron_ratio"]) for o in obs), default=0)
    notes = (f"{v.notes}; estimated constant C = max ||grad||_F^2 / (r^3 w_max^3) = "
             f"{mpmath.nstr(v.estimate.constant, 5) if v.estimate and v.estimate.constant is not None else '-'}"
             f" (exponent fitted in 1/w_max: must be >= -3); per-neuron constant "
             f"max ||grad_w_k L|| / (r w_max ||w_k||) = {worst_neuron:.4g}; samples keep L <= r^2 w_max^2")
    return v.amended(notes=notes)


LEMMA14 = Claim(
    id="zgj.lemma14",
    title="Lemma 14: gradient bound ||grad L||_F^2 = O(r^3 w_max^3) when L = O(r^2 w_max^2)",
    source="Zhou, Ge, Jin (COLT 2021), Lemma 14, p.13 (proof p.46)",
    statement=r"L(W)=O(r^2w_{\max}^2)\ \Rightarrow\ \|\nabla_W L(W)\|_F^2=O(r^3w_{\max}^3),\ "
              r"\|\nabla_{w_k}L(W)\|\le O(rw_{\max})\|w_k\|",
    hypotheses=r"Assumption 2; $L(W)\le r^2w_{\max}^2$ (constant 1 in the $O$)",
    lhs=r"\|\nabla_W L(W)\|_F^2",
    rhs=r"r^3 w_{\max}^3",
    relation="<=",
    expected="holds",
    observe=_observe,
    judge=_judge,
    paper_exponent=Fraction(-3),  # in the scale variable 1/w_max
    default_samples=40,
    paper_constant=r"$O(\cdot)$ (hidden)",
)

CLAIMS = (LEMMA14,)
