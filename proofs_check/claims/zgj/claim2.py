"""Claim 2 (Zhou, Ge, Jin, COLT 2021, Sec. 4, p.7-8): the loss is Theta(delta^3).

One unit teacher ``w* = e_1`` and two students in the plane ``(e_1, e_2)`` at angles
``+-delta`` with ``||w_1|| = ||w_2|| = 1/sqrt(2 cos delta)``, so that
``||w_1|| w_1 + ||w_2|| w_2 = w*`` exactly.  The paper states ``L = Theta(delta^3)``; the
first-order terms of the pair cancel, and the ``|theta|^3`` term of the kernel
(``sin t + (pi/2 - t) cos t = pi/2 - pi/4 t^2 + t^3/3 + ...``) survives.  The checker
samples ``delta`` on a geometric ladder, fits the exponent of ``L`` in ``delta`` (two-sided:
relation ``Theta``), and reports ``L / delta^3 -> c_3`` next to the symbolic coefficient
``identity("claim2.delta3_coefficient")`` (``2/(3 pi)``) when that is available.

The consequence the paper draws: the Hessian at ``delta = 0`` (a global minimum) is
singular; ``lambda_min`` is reported in the verdict notes.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import flint
import mpmath
from flint import arb

from numeric.config import Configuration
from numeric.precise import evaluate
from numeric.numbers import to_mpf
from proofs_check.claim import Claim
from proofs_check.verdict import Observation
from proofs_check.claim_judgement import judge
from proofs_check.judgement import FitSettings, PaperStatement

__all__ = ["CLAIMS", "claim2_configuration", "hessian_min_eigenvalue"]

DEFAULT_DELTAS = tuple(10.0**-k for k in range(1, 9))


@dataclass(frozen=True)
class Claim2Settings:
    """The ladder of angles; ``perturb(L, delta, dps)`` replaces the loss (planted twins);
    whether to compare with the symbolic coefficient and report the Hessian at delta = 0."""

    deltas: tuple = DEFAULT_DELTAS
    perturb: Callable | None = None
    compare_identity: bool = True
    hessian: bool = True


def claim2_configuration(delta, dps: int) -> Configuration:
    """Claim 2's configuration at angle ``delta`` (exact rationals from ``dps``-digit values).

    >>> c = claim2_configuration(0.1, 30)
    >>> c.r, c.m, c.d
    (1, 2, 2)
    """
    with mpmath.workdps(dps):
        delta = mpmath.mpf(delta)
        rho = 1 / mpmath.sqrt(2 * mpmath.cos(delta))
        c, s = mpmath.cos(delta), mpmath.sin(delta)
        return Configuration([[1, 0]], [[rho * c, rho * s], [rho * c, -rho * s]])


def hessian_min_eigenvalue(config: Configuration, dps: int = 40):
    """``(lambda_min, lambda_max)`` of the Hessian (mpmath, symmetric eigensolver)."""
    e = evaluate(config, dps, backend="mpmath", gradient=True, hessian=True)
    with mpmath.workdps(dps):
        eig = mpmath.eigsy(mpmath.matrix([list(row) for row in e.hessian]), eigvals_only=True)
        return min(eig), max(eig)


def _observe(claim, request):
    deltas = tuple(claim.settings.deltas)
    perturb = claim.settings.perturb  # planted twins: a modified quantity
    for delta in deltas:
        # L ~ delta^3 is computed as a difference of O(1) terms: 3 digits lost per decade.
        dps = int(3 * -mpmath.log10(delta)) + 30
        config = claim2_configuration(delta, dps)
        L = evaluate(config, dps, gradient=False).loss
        if perturb is not None:
            L = perturb(L, delta, dps)
        with mpmath.workdps(dps):
            d_ball = arb(mpmath.nstr(mpmath.mpf(delta), dps))
        request.tick()
        with flint.ctx.workdps(dps):
            rhs = claim.bound(d_ball)
        yield Observation(lhs=L, rhs=rhs, scale=d_ball, dps=dps,
                          witness={"params": {"delta": mpmath.nstr(delta, 6)},
                                   "config": config.to_dict()},
                          group=delta)


def _judge(claim, obs):
    v = judge(claim, obs)
    # Leading coefficient: L / delta^3 at the smallest delta.
    small = min(obs, key=lambda o: to_mpf(o.scale))
    c3 = to_mpf((small.lhs / small.rhs).mid())
    notes = [v.notes, f"L/delta^3 at delta = {mpmath.nstr(to_mpf(small.scale), 3)}: "
                      f"{mpmath.nstr(c3, 10)}"]
    if claim.settings.compare_identity:
        try:
            from symbolic.identities import identity

            exact = identity("claim2.delta3_coefficient").value
            ev = mpmath.mpf(float(exact.evalf(30)))
            notes.append(f"symbolic coefficient {exact} = {mpmath.nstr(ev, 10)} "
                         f"(relative difference {mpmath.nstr(abs(c3 / ev - 1), 3)})")
        except Exception as exc:  # optional: another module provides it
            notes.append(f"symbolic coefficient unavailable ({type(exc).__name__})")
    if claim.settings.hessian:
        lo, hi = hessian_min_eigenvalue(claim2_configuration(0, 40), 40)
        notes.append(f"Hessian at the minimum delta = 0: lambda_min = {mpmath.nstr(lo, 5)}, "
                     f"lambda_max = {mpmath.nstr(hi, 5)}: degenerate (no strong convexity/PL)")
    return v.amended(notes="; ".join(n for n in notes if n),
                     figures={"claim2": {"delta": [mpmath.nstr(to_mpf(o.scale), 6) for o in obs],
                                         "loss": [mpmath.nstr(to_mpf(o.lhs.mid()), 12) for o in obs]}})


CLAIM2 = Claim(
    id="zgj.claim2",
    title="Claim 2: two students splitting one teacher have L = Theta(delta^3)",
    source="Zhou, Ge, Jin (COLT 2021), Claim 2, Sec. 4, p.7-8",
    statement=r"w^*=e_1,\ w_{1,2}=\tfrac{1}{\sqrt{2\cos\delta}}(\cos\delta,\pm\sin\delta):"
              r"\quad L(W)=\Theta(\delta^3)",
    hypotheses=r"$r=1$, $\|w^*\|=1$, $m=2$, students in one plane at angles $\pm\delta$, "
               r"$\|w_1\|w_1+\|w_2\|w_2=w^*$",
    lhs=r"L(W_\delta)",
    rhs=r"\delta^3",
    relation="Theta",
    expected="consistent",
    kind="empirical",
    paper=PaperStatement("holds", "Theta(delta^3)"),
    observe=_observe,
    judge=_judge,
    paper_exponent=Fraction(3),
    settings=Claim2Settings(),
    # L = c3 delta^3 (1 + O(delta)): the local exponents over the 5 smallest angles
    # (delta <= 1e-4) are within 1e-3 of 3; the resolution asked for is 0.01.
    fit=FitSettings(method="secant", resolution=0.01, window=5),
    default_samples=8,
    paper_constant=r"$\Theta(\cdot)$ (hidden; exact leading coefficient $2/(3\pi)$ derived)",
)

CLAIMS = (CLAIM2,)
