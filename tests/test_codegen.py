"""The generated pair code is current, prints what the derivation says, and the singular-safe
forms of :mod:`symbolic.pair` equal the derivatives of the kernel they were derived from.

The derivation (``pair_derivatives``, cached per activation) takes about 7 s for both
activations; every test below after the first reuses it.
"""
from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp

from numeric import pair_kernels
from numeric.fields import MPMATH
from symbolic.codegen import PAIR_MODULE_PATH, expression_source, pair_module_source
from symbolic.kernel import ACTIVATIONS, a, b, kernel_closed_form, kernel_in_invariants, theta
from symbolic.pair import HESSIAN_BASIS, pair_derivatives

DPS = 50


def test_generated_module_is_current():
    """Fails when numeric/pair_kernels.py is stale: run ``python -m symbolic.codegen``."""
    assert pair_module_source() == PAIR_MODULE_PATH.read_text()


def test_printer_keeps_exact_constants():
    """No float literal is ever printed: rationals become integer operations or F.q(p, q),
    pi the argument PI; evaluated at 50 digits the source equals the expression."""
    x = sp.Symbol("x")
    expr = sp.Rational(2, 3) * x + sp.pi + sp.Rational(1, 7) + sp.sqrt(x) + 1 / x
    source = expression_source(expr)
    assert "." not in source.replace("F.", "") and "PI" in source and "F.q(1, 7)" in source
    with mpmath.workdps(DPS):
        xv = mpmath.mpf(3) / 10
        got = eval(source, {"F": MPMATH, "PI": +mpmath.pi, "x": xv})
        want = sp.N(expr.subs(x, sp.Rational(3, 10)), DPS + 10)
        assert abs(got - mpmath.mpf(str(want))) <= mpmath.mpf(10) ** (2 - DPS)
    with pytest.raises(NotImplementedError, match="Float"):
        expression_source(sp.Float("0.1") * x)
    with pytest.raises(NotImplementedError, match="tan"):
        expression_source(sp.tan(x))


def _random_frame(rng):
    """Positive a, b and an angle strictly inside (0, pi), as exact rationals."""
    return (sp.Rational(rng.randint(1, 40), 10), sp.Rational(rng.randint(1, 40), 10),
            sp.Rational(rng.randint(1, 313), 100))


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_generated_functions_evaluate_the_derived_expressions(activation):
    d = pair_derivatives(activation)
    names = list(d.expressions())
    exprs = list(d.expressions().values())
    f = sp.lambdify((a, b, theta), exprs, modules="mpmath")
    rng = random.Random(1)
    with mpmath.workdps(DPS):
        pi = +mpmath.pi
        for _ in range(5):
            args = [mpmath.mpf(x.p) / x.q for x in _random_frame(rng)]
            want = f(*args)
            got = (getattr(pair_kernels, f"{activation}_value_gradient")(*args, pi, MPMATH)
                   + getattr(pair_kernels, f"{activation}_hessian")(*args, pi, MPMATH))
            for name, x, y in zip(names, got, want, strict=True):
                assert abs(x - y) <= mpmath.mpf(10) ** (5 - DPS) * (1 + abs(y)), name


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("t0", [0, sp.pi], ids=["theta=0", "theta=pi"])
def test_coefficients_have_their_values_as_limits_at_aligned_and_antipodal_pairs(activation, t0):
    """No coefficient keeps a 1/sin(theta): each has a finite one-sided limit at 0 and pi that
    equals its value there, so the generated code may be evaluated at the endpoints."""
    for name, expr in pair_derivatives(activation).expressions().items():
        value = expr.subs(theta, t0)
        assert value.is_finite is not False and not value.has(sp.zoo, sp.nan, sp.oo), name
        side = "+" if t0 == 0 else "-"
        limit = sp.limit(expr, theta, t0, side)
        assert sp.simplify(limit - value) == 0, (name, limit, value)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_invariant_form_equals_the_closed_form(activation):
    """The atan2 rewrite in (A, B, P) is the (a, b, theta) closed form, on both sides of pi/2."""
    closed = sp.lambdify((a, b, theta), kernel_closed_form(activation), modules="mpmath")
    A, B, P = sp.symbols("A B P")
    invariant = sp.lambdify((A, B, P), kernel_in_invariants(activation, A, B, P), modules="mpmath")
    rng = random.Random(2)
    with mpmath.workdps(DPS):
        for _ in range(8):
            av, bv, tv = [mpmath.mpf(x.p) / x.q for x in _random_frame(rng)]
            lhs = invariant(av**2, bv**2, av * bv * mpmath.cos(tv))
            assert abs(lhs - closed(av, bv, tv)) <= mpmath.mpf(10) ** (5 - DPS) * av * bv


def _coordinate_derivatives(activation, dim):
    """grad_u k, d2k/du du^T, d2k/du dv^T by direct differentiation in R^dim, compiled."""
    u = sp.Matrix(sp.symbols(f"u1:{dim + 1}", real=True))
    v = sp.Matrix(sp.symbols(f"v1:{dim + 1}", real=True))
    k = kernel_in_invariants(activation, u.dot(u), v.dot(v), u.dot(v))
    grad = [sp.diff(k, x) for x in u]
    huu = [sp.diff(g, x) for g in grad for x in u]
    huv = [sp.diff(g, y) for g in grad for y in v]
    return sp.lambdify(list(u) + list(v), [grad, huu, huv], modules="mpmath")


@pytest.mark.parametrize("activation, dim", [("abs", 4), ("relu", 3)])
def test_frame_coefficients_equal_coordinate_derivatives(activation, dim):
    """Rebuild grad_u k = g_u u_hat + g_v v_hat and the Hessian blocks
    c0 I + c1 uu^T + c2 ue^T + c3 eu^T + c4 ee^T from the derived coefficients and compare them
    with SymPy's derivatives of the invariant form in coordinates, at random generic points.
    The derivation used R^3; R^4 (two directions orthogonal to the pair's plane) checks that
    the frame argument holds in higher dimension.  (Compiling the 4-d derivatives costs ~3 s,
    so relu, whose coefficients come from the same code path, is checked in R^3.)"""
    direct = _coordinate_derivatives(activation, dim)
    coef = sp.lambdify((a, b, theta), list(pair_derivatives(activation).expressions().values()),
                       modules="mpmath")
    rng = random.Random(3)
    with mpmath.workdps(DPS):
        for _ in range(4):
            u = [mpmath.mpf(rng.randint(-30, 30)) / 10 for _ in range(dim)]
            v = [mpmath.mpf(rng.randint(-30, 30)) / 10 for _ in range(dim)]
            grad, huu, huv = direct(*u, *v)
            na, nb = mpmath.norm(u), mpmath.norm(v)
            uh, vh = [x / na for x in u], [x / nb for x in v]
            c = mpmath.fdot(uh, vh)
            t = mpmath.acos(c)  # generic points: far from +-1
            e = [(y - c * x) / mpmath.sin(t) for x, y in zip(uh, vh)]
            vals = coef(na, nb, t)
            _, g_u, g_v = vals[:3]
            tol = mpmath.mpf(10) ** (8 - DPS)
            for i in range(dim):
                assert abs(g_u * uh[i] + g_v * vh[i] - grad[i]) <= tol
            for block, cs in ((huu, vals[3:8]), (huv, vals[8:13])):
                c0, c1, c2, c3, c4 = cs
                for i in range(dim):
                    for k in range(dim):
                        rebuilt = (c0 * (i == k) + c1 * uh[i] * uh[k] + c2 * uh[i] * e[k]
                                   + c3 * e[i] * uh[k] + c4 * e[i] * e[k])
                        assert abs(rebuilt - block[i * dim + k]) <= tol * (1 + abs(rebuilt)), (i, k)


def test_hessian_basis_names_match_the_generated_module():
    assert pair_kernels.HESSIAN_NAMES == tuple(f"huu_{n}" for n in HESSIAN_BASIS) + tuple(
        f"huv_{n}" for n in HESSIAN_BASIS)
