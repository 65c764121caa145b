"""Lemma C.8 (Owen's T inequality), Zhou, Ge, Jin (COLT 2021), App. C, used in Lemma 9 Part 2
(p.21-27).

With Owen's T function ``T(h, a) = (1/2pi) int_0^a exp(-h^2 (1+t^2)/2) / (1+t^2) dt``,

    f(tau, phi) = 4 T(tau, cot phi) - 1 + 2 phi/pi + tau/sqrt(2 pi) erf(tau cot phi / sqrt 2) <= 0

for ``0 < tau, phi <= c`` with an absolute constant ``c`` that the paper does not give.
The checker evaluates ``f`` rigorously: substituting ``t = tan theta`` turns Owen's T into

    T(tau, cot phi) = (1/2pi) int_0^{pi/2 - phi} exp(-tau^2 / (2 cos^2 theta)) d theta,

a bounded interval on which the integrand is analytic (its singularity sits at
``theta = pi/2``, a distance ``phi`` from the end point), and integrates it with arb's
certified ``acb.integral``.  Every lhs is therefore a ball with a rigorous radius.

What the samples show.  ``f(0, phi) = 0`` identically (``T(0, a) = atan(a) / 2pi``) and
``f = O(tau^4)`` as ``tau -> 0``; the zero set of ``f`` is a curve ``phi = phi*(tau)``
that starts at ``phi*(0+) = pi/6`` and decreases in ``tau``.  The largest square
``(0, c]^2`` on which the inequality holds is therefore cut off by the fixed point
``f(c, c) = 0``:  ``c_hat = 0.5172454397165...`` (:data:`C_HAT`, certified by a sign change
of arb balls in the tests).  The registered claim checks the grid ``[eps, 0.9 c_hat]^2``;
the planted twins claim the square up to ``2 c_hat`` and up to ``0.52 > c_hat``.

As ``phi -> 0``, ``T(tau, inf) = erfc(tau/sqrt 2)/4``, so ``f(tau, 0+) =
tau/sqrt(2 pi) - erf(tau/sqrt 2) < 0`` (:func:`owen_limit_phi0`).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
from flint import acb, arb, ctx

from proofs_check.claims.base import (Claim, Estimate, Observation,
                                      as_ball, judge_each)

__all__ = ["CLAIMS", "C_HAT", "owen_t_cot", "owen_inequality_lhs", "owen_limit_phi0"]

#: The largest c with f <= 0 on (0, c]^2: the root of f(c, c) = 0 (arb bisection, 16 digits).
C_HAT = "0.5172454397165215"

DPS = 30


@dataclass(frozen=True)
class OwenSettings:
    """The square ``(0, c]^2`` claimed, the grid's lower end ``eps`` and the precision."""

    c: Fraction = Fraction(465, 1000)
    eps: float = 1e-3
    dps: int = DPS


def owen_t_cot(tau, phi, dps: int = DPS) -> arb:
    """Owen's ``T(tau, cot phi)`` as a certified arb ball, for ``0 < phi < pi/2``.

    >>> owen_t_cot(Fraction(0), Fraction(1, 2)).overlaps((arb.pi()/2 - arb("0.5")) / (2*arb.pi()))
    True
    """
    with ctx.workdps(dps):
        tau, phi = as_ball(tau), as_ball(phi)
        t2 = acb(tau * tau)
        integrand = lambda theta, analytic: (-(t2 / (2 * theta.cos() ** 2))).exp()
        integral = acb.integral(integrand, 0, arb.pi() / 2 - phi).real
        return +(integral / (2 * arb.pi()))


def owen_inequality_lhs(tau, phi, dps: int = DPS) -> arb:
    """``f(tau, phi)`` of Lemma C.8 as an arb ball (the inequality says ``f <= 0``)."""
    with ctx.workdps(dps):
        tau, phi = as_ball(tau), as_ball(phi)
        cot = phi.cos() / phi.sin()
        return +(4 * owen_t_cot(tau, phi, dps) - 1 + 2 * phi / arb.pi()
                 + tau / (2 * arb.pi()).sqrt() * (tau * cot / arb(2).sqrt()).erf())


def owen_limit_phi0(tau, dps: int = DPS) -> arb:
    """``lim_{phi -> 0+} f(tau, phi) = tau/sqrt(2 pi) - erf(tau/sqrt 2)``, from
    ``T(tau, inf) = erfc(|tau|/sqrt 2)/4``."""
    with ctx.workdps(dps):
        tau = as_ball(tau)
        return +(tau / (2 * arb.pi()).sqrt() - (tau / arb(2).sqrt()).erf())


def _grid(eps: float, c: Fraction, n: int) -> list:
    """``n`` points in ``[eps, c]``: half geometric (the tau^4 corner), half linear, and ``c``."""
    c_f = float(c)
    geo = np.geomspace(eps, c_f, max(2, n // 2))
    lin = np.linspace(eps, c_f, max(2, n - n // 2))
    pts = sorted({Fraction(float(x)).limit_denominator(10**12) for x in (*geo, *lin)} | {Fraction(c)})
    return [p for p in pts if p <= c]


def _observe(claim, request):
    p = claim.settings
    c = Fraction(p.c)
    n = max(3, int(round(request.samples ** 0.5)))
    pts = _grid(p.eps, c, n)
    for tau in pts:
        for phi in pts:
            yield _owen_at(claim, {"tau": tau, "phi": phi}, p.dps)
            request.tick()


def _owen_at(claim, params, dps):
    tau, phi = Fraction(params["tau"]), Fraction(params["phi"])
    lhs = owen_inequality_lhs(tau, phi, dps)
    witness = {"params": {"tau": str(tau), "phi": str(phi),
                          "tau_decimal": mpmath.nstr(mpmath.mpf(tau.numerator) / tau.denominator, 12),
                          "phi_decimal": mpmath.nstr(mpmath.mpf(phi.numerator) / phi.denominator, 12),
                          "f": lhs.str(8)}}
    return Observation(lhs=lhs, rhs=arb(0), scale=as_ball(max(tau, phi)), dps=dps, witness=witness)


def _judge(claim, obs):
    v = judge_each(claim, obs)
    c = Fraction(claim.settings.c)
    est = Estimate(constant=mpmath.mpf(C_HAT), note=(
        "constant = c_hat, the largest c with f <= 0 on (0, c]^2 (root of f(c, c) = 0; "
        "the zero curve phi*(tau) starts at pi/6 and decreases)"))
    pos = sum(1 for o in obs if o.lhs > 0)
    notes = (f"checked on a grid of {len(obs)} points of [{claim.settings.eps}, "
             f"{float(c):.6g}]^2 with arb-certified Owen's T (acb.integral); c_hat = {C_HAT[:12]} "
             f"(paper: c hidden); {pos} grid point(s) certainly violate f <= 0; margin = -f")
    return v.amended(estimate=est, notes=notes)


LEMMA_C8 = Claim(
    id="zgj.lemmaC8",
    title="Owen's T inequality for the test-function monotonicity (Lemma 9 Part 2)",
    source="Zhou, Ge, Jin (COLT 2021), Lemma C.8 (used in Lemma 9 Part 2, p.21-27)",
    statement=r"4\,\mathrm{OwenT}(\tau,\cot\varphi)-1+\frac{2\varphi}{\pi}"
              r"+\frac{\tau}{\sqrt{2\pi}}\mathrm{erf}\Big(\frac{\tau\cot\varphi}{\sqrt2}\Big)\le0"
              r"\quad\text{for }0<\tau,\varphi\le c",
    hypotheses=r"$0<\tau\le c$, $0<\varphi\le c$ for an absolute constant $c$ (checked: $c=0.9\,\hat c$)",
    lhs=r"4\,\mathrm{OwenT}(\tau,\cot\varphi)-1+\frac{2\varphi}{\pi}+\frac{\tau}{\sqrt{2\pi}}"
        r"\mathrm{erf}\Big(\frac{\tau\cot\varphi}{\sqrt2}\Big)",
    rhs=r"0",
    relation="<=",
    expected="certified",
    observe=_observe,
    judge=_judge,
    default_samples=400,
    settings=OwenSettings(),
    paper_constant=r"$c$ (hidden); estimated $\hat c\approx0.51725$",
)

CLAIMS = (LEMMA_C8,)
