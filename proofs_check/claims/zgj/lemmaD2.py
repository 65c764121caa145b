"""Lemma D.2, Zhou, Ge, Jin (COLT 2021), App. D: for unit ``alpha, beta`` at angle ``phi``,

    E[(beta.x)^2 1{sgn(alpha.x) != sgn(beta.x)}] = (phi - sin phi cos phi) / pi = Theta(phi^3).

Only the projection of ``x`` on ``span(alpha, beta)`` matters, so the expectation is a
2-D Gaussian one.  In polar coordinates ``x = rho (cos t, sin t)`` with ``alpha = e_1`` and
``beta = (cos phi, sin phi)``, ``E[rho^2] = 2`` factors out and

    lhs = 2 * (1/2pi) int_0^{2pi} cos^2(t - phi) 1{sgn cos t != sgn cos(t - phi)} dt.

The checker computes this integral with arb's certified ``acb.integral`` over ``[0, 2pi]``
split at the sign-change points of ``cos t`` and ``cos(t - phi)`` (the indicator is evaluated,
not assumed: on each piece it is constant and read off at the midpoint), so every left side is
a ball with a rigorous radius.
The closed form is the rhs.  A second claim, ``zgj.lemmaD2.shape``, judges
``Theta(phi^3)`` by the fitted exponent; the leading coefficient is ``2/(3 pi)``.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from flint import acb, arb, ctx

from proofs_check.claim import Claim
from proofs_check.verdict import Observation, as_ball
from proofs_check.exponent_fit import FitSettings
from proofs_check.judgement import PaperStatement

__all__ = ["CLAIMS", "disagreement_second_moment", "closed_form", "exact_algebra"]

DPS = 40


@dataclass(frozen=True)
class WedgeSettings:
    """Angles of the identity check; the closed form's ``denominator`` (1 as printed)."""

    angles: tuple = ()
    denominator: int = 1
DEFAULT_ANGLES = tuple(Fraction(k, 8) for k in (1, 2, 3, 5, 8, 12, 16, 20, 24)) + (
    Fraction(1, 10**3), Fraction(1, 10**6))


def disagreement_second_moment(phi, dps: int = DPS) -> arb:
    """``E[(beta.x)^2 1{sgn(alpha.x) != sgn(beta.x)}]`` by certified quadrature, as a ball.

    The circle is cut at the zeros of ``cos t`` and ``cos(t - phi)``; on each arc the indicator
    is constant (read off at the arc's midpoint, which lies strictly inside it), and the integral
    of ``cos^2(t - phi)`` over the arcs where the signs differ is enclosed by arb's
    ``acb.integral``.

    >>> disagreement_second_moment(Fraction(1, 2)).overlaps(closed_form(Fraction(1, 2)))
    True
    """
    with ctx.workdps(dps + 10):
        p = as_ball(phi)
        half = arb.pi() / 2
        two_pi = 2 * arb.pi()
        cuts = [arb(0), two_pi]
        for c in (half, 3 * half, half + p, 3 * half + p):
            if c > two_pi:
                c -= two_pi
            cuts.append(c)
        cuts.sort(key=lambda x: float(x.mid()))
        total = arb(0)
        for a_, b_ in zip(cuts, cuts[1:]):
            if not b_ > a_:
                continue  # a degenerate arc (phi = 0 or pi): contributes nothing
            mid = (a_ + b_) / 2
            if (mid.cos() > 0) == ((mid - p).cos() > 0):
                continue
            integral = acb.integral(lambda t, analytic: (t - acb(p)).cos() ** 2, a_, b_)
            total += integral.real
        return +(2 * total / two_pi)


def closed_form(phi, dps: int = DPS, denominator: int = 1) -> arb:
    """``(phi - sin phi cos phi) / (denominator * pi)`` (the paper: ``denominator = 1``)."""
    with ctx.workdps(dps):
        p = as_ball(phi)
        return +((p - p.sin() * p.cos()) / (denominator * arb.pi()))


def _observe_identity(claim, request):
    p = claim.settings
    angles = tuple(p.angles or DEFAULT_ANGLES)[: max(1, request.samples)]
    for phi in angles:
        lhs = disagreement_second_moment(phi, DPS)
        rhs = closed_form(phi, DPS, p.denominator)
        yield Observation(lhs=lhs, rhs=rhs, scale=as_ball(phi), dps=DPS,
                          witness={"params": {"phi": str(phi), "lhs": lhs.str(12), "rhs": rhs.str(12)}})
        request.tick()


def _observe_shape(claim, request):
    n = max(4, request.samples)
    for k in range(n):
        phi = Fraction(1, 2 * 4**k) if k else Fraction(1, 2)
        lhs = disagreement_second_moment(phi, DPS)
        rhs = claim.bound(as_ball(phi))
        yield Observation(lhs=lhs, rhs=rhs, scale=as_ball(phi), dps=DPS, group=k,
                          witness={"params": {"phi": str(phi), "lhs": lhs.str(12)}})
        request.tick()


#: An upper bound on pi, to keep the exact-algebra proof to the angles it covers.
_PI_BELOW = Fraction(314159265, 10**8)


def exact_algebra(claim) -> str:
    """The identity by exact algebra: SymPy integrates the plane expectation piece by piece
    on ``[0, pi]`` (``symbolic.identities.lemma_d2_derivation``) and the difference of the
    derived form and the claim's closed form (with its ``denominator``) simplifies to 0.
    Returns the sentence naming the proof, or ``""`` when the difference does not vanish or
    an angle checked lies outside ``[0, pi]``."""
    import sympy as sp

    from symbolic.identities import lemma_d2_derivation

    p = claim.settings
    if not all(0 <= Fraction(a) <= _PI_BELOW for a in tuple(p.angles or DEFAULT_ANGLES)):
        return ""
    _, form = lemma_d2_derivation()
    (varphi,) = form.free_symbols
    stated = (varphi - sp.sin(varphi) * sp.cos(varphi)) / (p.denominator * sp.pi)
    if sp.simplify(form - stated) != 0:
        return ""
    return ("SymPy integrates (beta.x)^2 over the sign-disagreement pieces of the plane (valid for every "
            "angle in [0, pi]) and (lhs - rhs) simplifies to 0 (symbolic.identities.lemma_d2_derivation)")


LEMMA_D2 = Claim(
    id="zgj.lemmaD2",
    title="Second moment on the sign-disagreement wedge (exact identity)",
    source="Zhou, Ge, Jin (COLT 2021), Lemma D.2, App. D",
    statement=r"\mathbb E\big[(\beta^\top x)^2\,\mathbb I_{\mathrm{sgn}(\alpha^\top x)\ne\mathrm{sgn}(\beta^\top x)}\big]"
              r"=\frac1\pi(\varphi-\sin\varphi\cos\varphi)",
    hypotheses=r"$\|\alpha\|=\|\beta\|=1$, $\angle(\alpha,\beta)=\varphi\in[0,\pi]$, $x\sim N(0,I_d)$",
    lhs=r"\mathbb E\big[(\beta^\top x)^2\,\mathbb I_{\mathrm{sgn}(\alpha^\top x)\ne\mathrm{sgn}(\beta^\top x)}\big]",
    rhs=r"\frac1\pi(\varphi-\sin\varphi\cos\varphi)",
    relation="==",
    expected="proved",
    kind="proved",
    symbolic_proof=exact_algebra,
    paper=PaperStatement("holds", "closed form (phi - sin phi cos phi)/pi"),
    drawn_from="angles phi = k/8 for k in {1, 2, 3, 5, 8, 12, 16, 20, 24} and 1e-3, 1e-6, the left side by certified quadrature (acb.integral)",
    observe=_observe_identity,
    tolerance="1e-25",
    default_samples=len(DEFAULT_ANGLES),
    settings=WedgeSettings(),
    paper_constant=r"$1/\pi$ (exact)",
)

LEMMA_D2_SHAPE = Claim(
    id="zgj.lemmaD2.shape",
    title="The disagreement second moment is Theta(phi^3)",
    source="Zhou, Ge, Jin (COLT 2021), Lemma D.2, App. D",
    statement=r"\mathbb E\big[(\beta^\top x)^2\,\mathbb I_{\mathrm{sgn}(\alpha^\top x)\ne\mathrm{sgn}(\beta^\top x)}\big]"
              r"=\Theta(\varphi^3)",
    hypotheses=r"$\|\alpha\|=\|\beta\|=1$, $\angle(\alpha,\beta)=\varphi\to0$",
    lhs=r"\mathbb E\big[(\beta^\top x)^2\,\mathbb I_{\mathrm{sgn}(\alpha^\top x)\ne\mathrm{sgn}(\beta^\top x)}\big]",
    rhs=r"\varphi^3",
    relation="Theta",
    expected="consistent",
    kind="empirical",
    paper=PaperStatement("holds", "Theta(phi^3)"),
    observe=_observe_shape,
    paper_exponent=Fraction(3),
    settings=WedgeSettings(),
    # (phi - sin phi cos phi)/pi = (2/(3 pi)) phi^3 (1 - phi^2/5 + ...): local exponents over
    # the 5 smallest angles (phi <= 1/512) are within 1e-4 of 3.
    fit=FitSettings(method="secant", resolution=0.01, window=5),
    default_samples=8,
    paper_constant=r"hidden; exact leading coefficient $2/(3\pi)\approx0.2122$",
)

CLAIMS = (LEMMA_D2, LEMMA_D2_SHAPE)
