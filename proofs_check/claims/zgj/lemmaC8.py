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

What is certified.  ``f(0, phi) = 0`` identically (``T(0, a) = atan(a) / 2pi``) and
``f = O(tau^4)`` as ``tau -> 0``; the zero set of ``f`` is a curve ``phi = phi*(tau)`` that
starts at ``phi*(0+) = pi/6`` and decreases in ``tau``.  The largest square ``(0, c]^2`` on which
the inequality can hold is cut off by the fixed point ``f(c, c) = 0``: :func:`largest_square_side`
computes it by bisection on certified signs (``c_hat = 0.51724543...``).  The claim is then
*proved* on ``[eps, c]^2`` (default ``eps = 1/20``, ``c = 1/2``) by branch and bound with balls
(:mod:`numeric.subdivision`: mean-value enclosures with the partial derivatives of ``f`` in closed
form, boxes split where the enclosure straddles 0); the verdict reports the certified boxes, the
undecided remainder and the work done.  The strip ``tau < eps`` is not covered: there ``f -> 0``
and balls cannot separate it from 0 without a series argument.  A square a millionth larger
than ``c_hat`` is refuted at a certified point.

As ``phi -> 0``, ``T(tau, inf) = erfc(tau/sqrt 2)/4``, so ``f(tau, 0+) =
tau/sqrt(2 pi) - erf(tau/sqrt 2) < 0`` (:func:`owen_limit_phi0`).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import mpmath
from flint import acb, arb, ctx

from numeric.subdivision import certify_nonpositive, interval
from proofs_check.claim import Claim
from proofs_check.verdict import Estimate, Observation, as_ball
from proofs_check.claim_judgement import judge_proof
from proofs_check.judgement import PaperStatement

__all__ = ["CLAIMS", "OwenSettings", "largest_square_side", "owen_t_cot", "owen_inequality_lhs",
           "owen_inequality_gradient", "owen_limit_phi0"]

DPS = 30


@dataclass(frozen=True)
class OwenSettings:
    """The square ``[eps, c]^2`` to prove, the precision, and the branch-and-bound budget."""

    c: Fraction = Fraction(1, 2)
    eps: Fraction = Fraction(1, 20)
    dps: int = DPS
    max_boxes: int = 8000


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


def owen_inequality_gradient(box) -> list:
    """``(df/dtau, df/dphi)`` enclosed over a box (a ball per coordinate), in closed form:

        df/dtau = erf(tau a / sqrt 2)(1 - 2 e^{-tau^2/2}) / sqrt(2 pi) + (tau a / pi) e^{-tau^2 a^2/2}
        df/dphi = (2/pi)(1 - e^{-tau^2 (1 + a^2)/2}) - (tau^2/pi)(1 + a^2) e^{-tau^2 a^2/2}

    with ``a = cot phi`` (from ``dT/dh = -e^{-h^2/2} erf(a h/sqrt 2) / (2 sqrt(2 pi))``,
    ``dT/da = e^{-h^2 (1+a^2)/2} / (2 pi (1 + a^2))`` and ``da/dphi = -(1 + a^2)``).
    """
    tau, phi = box
    a = phi.cos() / phi.sin()
    d_tau = ((tau * a / arb(2).sqrt()).erf() * (1 - 2 * (-tau * tau / 2).exp()) / (2 * arb.pi()).sqrt()
             + tau * a / arb.pi() * (-(tau * a) ** 2 / 2).exp())
    d_phi = (2 / arb.pi() * (1 - (-(tau * tau * (1 + a * a)) / 2).exp())
             - tau * tau / arb.pi() * (1 + a * a) * (-(tau * a) ** 2 / 2).exp())
    return [d_tau, d_phi]


@lru_cache(maxsize=4)
def largest_square_side(dps: int = DPS, steps: int = 45) -> arb:
    """``c_hat``, the root of ``f(c, c) = 0`` in ``[1/2, 13/25]``, enclosed by bisection on
    certified signs (``f(1/2, 1/2) < 0 < f(13/25, 13/25)``); stops early if a sign is undecided.

    >>> 0.51724 < float(largest_square_side().mid()) < 0.51725
    True
    """
    lo, hi = Fraction(1, 2), Fraction(13, 25)
    with ctx.workdps(dps):
        if not (owen_inequality_lhs(lo, lo, dps) < 0 < owen_inequality_lhs(hi, hi, dps)):
            raise ArithmeticError("f(c, c) has no certified sign change in [1/2, 13/25]")
        for _ in range(steps):
            mid = (lo + hi) / 2
            value = owen_inequality_lhs(mid, mid, dps)
            if value < 0:
                lo = mid
            elif value > 0:
                hi = mid
            else:
                break
        return interval(lo, hi)


def _observe(claim, request):
    p = claim.settings
    c, eps = Fraction(p.c), Fraction(p.eps)
    result = certify_nonpositive(lambda x: owen_inequality_lhs(x[0], x[1], p.dps), owen_inequality_gradient,
                                 ((eps, c), (eps, c)), max_boxes=p.max_boxes, dps=p.dps)
    request.tick(len(result.certified))
    work = {"evaluations": result.evaluations, "certified_boxes": len(result.certified),
            "undecided_boxes": len(result.undecided)}
    if result.worst_certified is not None:
        yield Observation(lhs=result.worst_certified, rhs=arb(0), scale=as_ball(c), dps=p.dps,
                          witness={"params": {**work, "square": [str(eps), str(c)],
                                              "largest_upper_bound_of_f": result.worst_certified.str(5)}})
    for box in result.undecided:
        with ctx.workdps(p.dps):
            enclosure = owen_inequality_lhs(interval(*box[0]), interval(*box[1]), p.dps)
        yield Observation(lhs=enclosure.union(arb(0)), rhs=arb(0), scale=as_ball(c), dps=p.dps,
                          witness={"params": {**work, "undecided_box": [[str(x) for x in side] for side in box]}})
    if result.counterexample is not None:
        (tau, phi), value = result.counterexample
        yield Observation(lhs=value, rhs=arb(0), scale=as_ball(c), dps=p.dps, witness={"params": {
            **work, "tau": str(tau), "phi": str(phi),
            "tau_decimal": mpmath.nstr(mpmath.mpf(tau.numerator) / tau.denominator, 12),
            "phi_decimal": mpmath.nstr(mpmath.mpf(phi.numerator) / phi.denominator, 12), "f": value.str(8)}})


def _judge(claim, obs):
    work = obs[0].witness["params"] if obs else {}
    p = claim.settings
    v = judge_proof(claim, obs, proves=(
        f"f <= 0 on [{p.eps}, {p.c}]^2 by branch and bound with balls: {work.get('certified_boxes', 0)} "
        f"boxes certified, covering the square"))
    c_hat = largest_square_side(claim.settings.dps)
    est = Estimate(constant=mpmath.mpf(c_hat.mid().str(20, radius=False)), note=(
        f"constant = c_hat in {c_hat.str(12)}, the root of f(c, c) = 0 enclosed by certified bisection: "
        "no square (0, c]^2 with c > c_hat satisfies the inequality"))
    notes = (f"branch and bound on [{p.eps}, {p.c}]^2 at {p.dps} digits: {work.get('certified_boxes', 0)} boxes "
             f"certified, {work.get('undecided_boxes', 0)} undecided, {work.get('evaluations', 0)} evaluations of "
             "f (Owen's T by acb.integral; mean-value enclosures with closed-form partial derivatives); "
             f"the strip tau < {p.eps} is not covered; margin = -f")
    shown = {"proved": f"proved f <= 0 on [{p.eps}, {p.c}]^2 by branch and bound with balls: "
                          f"{work.get('certified_boxes', 0)} boxes certified, none undecided",
             "refuted": "refuted: a point of the square where f > 0 is certain (balls)",
             "inconclusive": f"{work.get('undecided_boxes', 0)} boxes undecided when the budget ran out"}[v.status]
    return v.amended(estimate=est, notes=notes, shown=shown)


LEMMA_C8 = Claim(
    id="zgj.lemmaC8",
    title="Owen's T inequality for the test-function monotonicity (Lemma 9 Part 2)",
    source="Zhou, Ge, Jin (COLT 2021), Lemma C.8 (used in Lemma 9 Part 2, p.21-27)",
    statement=r"4\,\mathrm{OwenT}(\tau,\cot\varphi)-1+\frac{2\varphi}{\pi}"
              r"+\frac{\tau}{\sqrt{2\pi}}\mathrm{erf}\Big(\frac{\tau\cot\varphi}{\sqrt2}\Big)\le0"
              r"\quad\text{for }0<\tau,\varphi\le c",
    hypotheses=r"$\epsilon\le\tau\le c$, $\epsilon\le\varphi\le c$ (proved for $\epsilon=1/20$, $c=1/2<\hat c$; the paper: $0<\tau,\varphi\le c$, $c$ hidden)",
    lhs=r"4\,\mathrm{OwenT}(\tau,\cot\varphi)-1+\frac{2\varphi}{\pi}+\frac{\tau}{\sqrt{2\pi}}"
        r"\mathrm{erf}\Big(\frac{\tau\cot\varphi}{\sqrt2}\Big)",
    rhs=r"0",
    relation="<=",
    expected="proved",
    kind="proved",
    paper=PaperStatement("holds", "<= 0 on (0, c]^2, c hidden"),
    observe=_observe,
    judge=_judge,
    default_samples=1,
    settings=OwenSettings(),
    paper_constant=r"$c$ (hidden); computed: $\hat c=0.5172454\ldots$ (certified bisection)",
)

CLAIMS = (LEMMA_C8,)
