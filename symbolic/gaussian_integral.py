"""The pair kernel ``E[sigma(u.x) sigma(v.x)]`` derived from the Gaussian integral.

Only the plane spanned by ``u`` and ``v`` matters: put ``u = a e1`` and
``v = b (cos t e1 + sin t e2)`` with ``t`` in ``[0, pi]``; the other coordinates of
``x ~ N(0, I_d)`` integrate out.  In polar coordinates ``x = rho (cos phi, sin phi)`` the
density is ``e^{-rho^2/2} rho / (2 pi)``.  Both activations are positively homogeneous,
``sigma(z) = z w(sgn z)`` (abs: ``w(s) = s``; relu: ``w(s) = (1 + s)/2``), so the integrand
splits into a radial factor ``rho^3 e^{-rho^2/2}`` (integral 2) and an angular factor that
is a product of cosines with constant signs between the zeros of ``cos phi`` and
``cos(phi - t)``.  Over the period ``[-pi/2, 3pi/2]`` those zeros are

    -pi/2  <=  t - pi/2  <=  pi/2  <=  t + pi/2  <=  3 pi/2,

an ordering that holds for every ``t`` in ``[0, pi]`` (the gaps are ``t, pi - t, t, pi - t``),
so one piecewise integral covers the whole range of the angle: no split at ``pi/2``.

The same machinery (:func:`plane_expectation`) gives Lemma D.2 and the blocks of ``M`` in
:mod:`symbolic.identities`.

>>> phi_sign_pieces()[1]
(theta - pi/2, pi/2, 1, 1)
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable

import sympy as sp
from sympy.simplify.fu import TR8

from symbolic.derivation import Derivation, Step, require_equal
from symbolic.kernel import ACTIVATIONS, a, b, kernel_closed_form, theta

__all__ = [
    "RHO",
    "PHI",
    "SIGN_FACTORS",
    "activation_expression",
    "phi_sign_pieces",
    "radial_moment",
    "plane_expectation",
    "kernel_derivation",
]

RHO = sp.Symbol("rho", positive=True)
PHI = sp.Symbol("phi", real=True)

#: ``sigma(z) = z * w(sgn z)`` for each positively homogeneous activation; ``identity``
#: is the linear function, used for first moments such as ``E[x relu(w.x)]``.
SIGN_FACTORS: dict[str, Callable[[int], sp.Expr]] = {
    "abs": lambda s: sp.Integer(s),
    "relu": lambda s: sp.Rational(1 + s, 2),
    "identity": lambda s: sp.Integer(1),
}


def activation_expression(activation: str, z: sp.Expr) -> sp.Expr:
    """``sigma(z)`` as a SymPy expression (for display).

    >>> activation_expression("relu", sp.Symbol("z"))
    Max(0, z)
    """
    _check(activation, SIGN_FACTORS)
    return {"abs": sp.Abs, "relu": lambda e: sp.Max(0, e), "identity": lambda e: e}[activation](z)


def _check(activation, allowed):
    if activation not in allowed:
        raise ValueError(
            f"activation = {activation!r} is not supported; use one of {tuple(allowed)}")


@lru_cache(maxsize=None)
def phi_sign_pieces() -> tuple:
    """``(lo, hi, sgn cos phi, sgn cos(phi - t))`` on the pieces of ``[-pi/2, 3pi/2]``.

    The zeros of both cosines are the breakpoints, so each sign is constant on a piece for
    every ``t`` in ``(0, pi)``; it is read at the piece's midpoint for two sample angles and
    the two readings must agree.
    """
    pi = sp.pi
    cuts = (-pi / 2, theta - pi / 2, pi / 2, theta + pi / 2, 3 * pi / 2)
    gaps = tuple(sp.expand(hi - lo) for lo, hi in zip(cuts, cuts[1:]))
    if gaps != (theta, pi - theta, theta, pi - theta):  # all >= 0 iff 0 <= theta <= pi
        raise ArithmeticError(f"breakpoint gaps {gaps}")
    pieces = []
    for lo, hi in zip(cuts, cuts[1:]):
        mid = (lo + hi) / 2
        readings = {
            (sp.sign(sp.cos(mid).subs(theta, t0)), sp.sign(sp.cos(mid - theta).subs(theta, t0)))
            for t0 in (pi / 3, 2 * pi / 3)
        }
        if len(readings) != 1:
            raise ArithmeticError(f"signs on [{lo}, {hi}] depend on the angle: {readings}")
        (s1, s2), = readings
        pieces.append((lo, hi, int(s1), int(s2)))
    return tuple(pieces)


@lru_cache(maxsize=None)
def radial_moment(degree: int) -> sp.Expr:
    """``(1/(2 pi)) int_0^oo rho^(degree+1) e^{-rho^2/2} d rho``: the radial factor.

    >>> radial_moment(2), radial_moment(0)
    (1/pi, 1/(2*pi))
    """
    return sp.integrate(RHO ** (degree + 1) * sp.exp(-RHO**2 / 2), (RHO, 0, sp.oo)) / (2 * sp.pi)


@lru_cache(maxsize=None)
def _antiderivative(angular: sp.Expr) -> sp.Expr:
    """An antiderivative in ``phi``: products of cosines are first turned into sums
    (product-to-sum, ``TR8``), so the integral is elementary; checked by differentiation."""
    F = sp.integrate(sp.expand(TR8(angular)), PHI)
    residual = sp.diff(F, PHI) - angular
    if sp.expand(TR8(residual)) != 0 and sp.simplify(residual) != 0:
        raise ArithmeticError(f"antiderivative of {angular} failed the derivative check")
    return F


def _simplify_trig(expr: sp.Expr) -> sp.Expr:
    """Expand a short trigonometric sum in ``theta`` (shifts such as ``theta + pi/2`` are
    resolved by ``expand_trig``) and collect it."""
    return sp.factor_terms(sp.trigsimp(sp.expand(sp.expand_trig(expr))))


def plane_expectation(
    angular: sp.Expr, weight: Callable[[int, int], sp.Expr], degree: int = 2
) -> tuple[tuple[Step, ...], sp.Expr]:
    """``E[rho^degree angular(phi) weight(sgn cos phi, sgn cos(phi - t))]``, (x1, x2) ~ N(0, I_2).

    ``x = rho (cos phi, sin phi)``, ``t = theta`` in ``[0, pi]``.  Returns the steps and the
    value.  Example: ``P(sgn x1 != sgn(x.(cos t, sin t))) = t / pi``:

    >>> steps, value = plane_expectation(sp.Integer(1), lambda s1, s2: (1 - s1 * s2) // 2, 0)
    >>> value
    theta/pi
    """
    pieces = phi_sign_pieces()
    terms = [(sp.sympify(weight(s1, s2)), lo, hi) for lo, hi, s1, s2 in pieces]
    terms = [(w, lo, hi) for w, lo, hi in terms if w != 0]
    antiderivative = _antiderivative(angular)
    at = lambda x: antiderivative.subs(PHI, x)  # noqa: E731
    angular_value = _simplify_trig(sp.Add(*(w * (at(hi) - at(lo)) for w, lo, hi in terms)))
    radial = radial_moment(degree)
    result = radial * angular_value
    cuts = [p[0] for p in pieces] + [pieces[-1][1]]
    steps = (
        Step(
            "sign changes of $\\cos\\phi$ and $\\cos(\\phi-\\theta)$ on the period "
            "$[-\\pi/2, 3\\pi/2]$; the gaps between them are $\\theta, \\pi-\\theta, \\theta, "
            "\\pi-\\theta$, all non-negative exactly when $0 \\le \\theta \\le \\pi$, so the "
            "pieces below are valid on the whole range of the angle",
            sp.Tuple(*cuts),
        ),
        Step(
            "signs $(\\mathrm{sgn}\\cos\\phi, \\mathrm{sgn}\\cos(\\phi-\\theta))$ on the pieces",
            sp.Tuple(*(sp.Tuple(s1, s2) for *_, s1, s2 in pieces)),
        ),
        Step("an antiderivative of the angular factor", antiderivative),
        Step(
            "angular integral, piece by piece",
            sp.Eq(sp.Add(*(w * sp.Integral(angular, (PHI, lo, hi)) for w, lo, hi in terms),
                         evaluate=False), angular_value),
        ),
        Step(
            "radial integral $\\frac{1}{2\\pi}\\int_0^\\infty \\rho^{%d} e^{-\\rho^2/2} d\\rho$"
            % (degree + 1),
            radial,
        ),
        Step("expectation = radial factor times angular integral", result),
    )
    return steps, result


@lru_cache(maxsize=None)
def kernel_derivation(activation: str = "abs") -> Derivation:
    """Derive ``k(u, v) = E[sigma(u.x) sigma(v.x)]`` and check it against the closed form.

    Raises :class:`ArithmeticError` if the integral disagrees with
    :func:`symbolic.kernel.kernel_closed_form`.
    """
    _check(activation, ACTIVATIONS)
    w = SIGN_FACTORS[activation]
    x1, x2 = sp.symbols("x1 x2", real=True)
    sigma = lambda z: activation_expression(activation, z)  # noqa: E731
    steps = [
        Step(
            "reduce to the plane of $u$ and $v$: $u = a e_1$, $v = b(\\cos\\theta e_1 + "
            "\\sin\\theta e_2)$; the coordinates of $x$ orthogonal to the plane integrate out, "
            "leaving $(x_1, x_2) \\sim N(0, I_2)$ and $(u.x, v.x) =$",
            sp.Tuple(a * x1, b * (sp.cos(theta) * x1 + sp.sin(theta) * x2)),
        ),
        Step(
            "polar coordinates $x = \\rho(\\cos\\phi, \\sin\\phi)$ with density "
            "$e^{-\\rho^2/2}\\rho/(2\\pi)$; positive homogeneity $\\sigma(cz) = c\\,\\sigma(z)$ "
            "($c \\ge 0$) pulls out $a b \\rho^2$, so $k(u, v) =$",
            a * b / (2 * sp.pi) * sp.Integral(
                RHO**3 * sp.exp(-RHO**2 / 2) * sigma(sp.cos(PHI)) * sigma(sp.cos(PHI - theta)),
                (PHI, -sp.pi / 2, 3 * sp.pi / 2), (RHO, 0, sp.oo)),
        ),
    ]
    plane_steps, value = plane_expectation(
        sp.cos(PHI) * sp.cos(PHI - theta), lambda s1, s2: w(s1) * w(s2), degree=2
    )
    steps.extend(plane_steps)
    result = sp.factor(a * b * value)
    steps.append(Step("times $a b$", result))
    closed = kernel_closed_form(activation)
    steps.append(require_equal("agrees with the closed form of symbolic.kernel", result, closed))
    if activation == "abs":
        # |z| is even, so k(u, v) = k(u, -v): the angle may be taken up to sign (p.5).
        steps.append(require_equal(
            "invariance under $\\theta \\to \\pi - \\theta$ ($v \\to -v$)",
            closed.subs(theta, sp.pi - theta), closed))
    return Derivation(
        name=f"kernel.{activation}",
        title=f"Pair kernel E[{activation}(u.x) {activation}(v.x)] from the Gaussian integral",
        steps=tuple(steps),
        result=result,
    )
