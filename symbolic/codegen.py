"""Compile derived expressions into plain Python source, for any scalar or array backend.

The generated functions take the backend as an argument ``F`` (an object with ``sin``,
``cos``, ``sqrt``, ``atan2`` and ``q(p, q)`` for an exact rational at the working precision),
plus ``PI`` evaluated at the working precision.  The same source therefore runs on numpy
arrays (float64), mpmath numbers and python-flint balls; nothing is rounded at generation
time: rationals are printed as ``F.q(p, q)`` and ``pi`` as the argument ``PI``.

``python -m symbolic.codegen`` rewrites :mod:`numeric.pair_kernels` from
:func:`symbolic.pair.pair_derivatives` (and Du et al.'s ``H_inf`` from
:func:`symbolic.gram.gram_in_invariants`); ``tests/test_codegen.py`` fails when the checked-in
module is stale, so the numbers can never drift from the derivation.

>>> import sympy as sp
>>> x = sp.Symbol("x")
>>> print(expression_source(sp.sin(x) / sp.pi + sp.Rational(1, 3)))
F.sin(x)/PI + F.q(1, 3)
"""
from __future__ import annotations

import sys
from pathlib import Path

import sympy as sp
from sympy.printing.str import StrPrinter

from symbolic.gram import gram_in_invariants
from symbolic.kernel import ACTIVATIONS, A, B, P, a, b, theta
from symbolic.pair import HESSIAN_BASIS, pair_derivatives

__all__ = [
    "expression_source", "function_source", "angular_function_source", "pair_module_source",
    "PAIR_MODULE_PATH",
]

PAIR_MODULE_PATH = Path(__file__).resolve().parent.parent / "numeric" / "pair_kernels.py"


class _BackendPrinter(StrPrinter):
    def _print_Rational(self, expr):
        return f"F.q({expr.p}, {expr.q})"

    def _print_Pi(self, expr):
        return "PI"

    def _print_Function(self, expr):
        name = expr.func.__name__
        if name not in ("sin", "cos", "atan2", "exp", "log"):
            raise NotImplementedError(f"no backend function for {name}")
        return f"F.{name}(" + ", ".join(self._print(x) for x in expr.args) + ")"

    def _print_Pow(self, expr, rational=False):
        if expr.exp == sp.Rational(1, 2):
            return f"F.sqrt({self._print(expr.base)})"
        if expr.exp == -1:
            return f"1/({self._print(expr.base)})"
        return super()._print_Pow(expr, rational)

    def _print_Float(self, expr):
        raise NotImplementedError("a Float in a derivation would fix the precision; use Rational")


def expression_source(expr: sp.Expr) -> str:
    """Python source for one expression in the backend convention."""
    return _BackendPrinter().doprint(expr)


def function_source(name: str, args, exprs, doc: str = "") -> str:
    """Source of ``def name(*args, PI, F)`` returning ``exprs`` (common subexpressions shared)."""
    replacements, reduced = sp.cse(list(exprs), symbols=sp.numbered_symbols("t"))
    lines = [f"def {name}({', '.join(str(x) for x in args)}, PI, F):"]
    if doc:
        lines.append(f'    """{doc}"""')
    for sym, sub in replacements:
        lines.append(f"    {sym} = {expression_source(sub)}")
    body = ", ".join(expression_source(e) for e in reduced)
    lines.append(f"    return ({body},)")
    return "\n".join(lines) + "\n"


def _angular_coefficients(expr, b_symbol, S, C):
    """``expr / b`` as ``(c_1, c_theta, c_sin, c_cos)`` with ``expr / b = c_1 + c_theta theta +
    c_sin S + c_cos C``; ``None`` marks a zero coefficient.

    The gradient factors of the pair kernel are 1-homogeneous in ``|v|`` and independent of
    ``|u|`` (k is homogeneous of degree 1 in each argument), and affine in ``theta``,
    ``sin theta``, ``cos theta``: the evaluator then assembles the whole gradient from
    matrix products.  Anything else raises, so the evaluator can never receive a wrong form.
    """
    factor = sp.simplify(expr / b_symbol)
    if factor.has(a) or factor.has(b_symbol):
        raise ArithmeticError(f"gradient factor {expr} is not |v| times a function of the angle")
    try:
        poly = sp.Poly(sp.expand(factor), theta, S, C)
    except sp.PolynomialError:
        raise ArithmeticError(f"gradient factor {factor} is not a polynomial in (theta, sin, cos)") from None
    if poly.total_degree() > 1:
        raise ArithmeticError(f"gradient factor {factor} is not affine in (theta, sin, cos)")
    coefficients = [poly.coeff_monomial(x) for x in (1, theta, S, C)]
    if any(c.free_symbols for c in coefficients):
        raise ArithmeticError(f"gradient factor {factor} has coefficients depending on {coefficients}")
    return tuple(None if c == 0 else c for c in coefficients)


def angular_function_source(name: str, g_u, g_v, S, C) -> str:
    """Source of ``def name(PI, F)`` returning the affine angular coefficients of
    ``g_u / |v|`` and ``g_v / |v|`` (see :func:`_angular_coefficients`)."""
    parts = []
    for expr in (g_u, g_v):
        coefficients = _angular_coefficients(expr, b, S, C)
        parts.append("(" + ", ".join("None" if c is None else expression_source(c)
                                     for c in coefficients) + ")")
    return (
        f"def {name}(PI, F):\n"
        '    """((c_1, c_theta, c_sin, c_cos) of ``g_u/|v|``, the same of ``g_v/|v|``); None is a zero.\n\n'
        "    ``grad_u k(u, v) = |v| (phi_u u_hat + phi_v v_hat)``, ``phi = c_1 + c_theta theta\n"
        '    + c_sin sin(theta) + c_cos cos(theta)``.\n    """\n'
        f"    return ({parts[0]}, {parts[1]})\n"
    )


def pair_module_source() -> str:
    """The whole generated module :mod:`numeric.pair_kernels`."""
    parts = [
        '"""The pair kernels k(u, v) of the two-layer network and their derivatives, one public\n'
        "module for every evaluator (float64 arrays, mpmath numbers, balls, the float64 screen).\n\n"
        "Generated by ``python -m symbolic.codegen`` from :func:`symbolic.pair.pair_derivatives`.\n"
        "Do not edit.\n\n"
        "Arguments: ``a = |u|``, ``b = |v|``, ``theta`` the angle in [0, pi]; ``S``, ``C`` its\n"
        "sine and cosine where given (``*_sc``); ``PI`` pi and ``F`` the backend (numpy, mpmath,\n"
        "python-flint balls; see :mod:`symbolic.codegen`).  For each activation ``abs`` and\n"
        "``relu``: ``*_value_gradient`` (kernel and gradient), ``*_hessian`` (second\n"
        "derivatives on the basis of :data:`HESSIAN_NAMES`), ``*_gradient_angular`` (the\n"
        "gradient's affine angular factors) and ``*_kernel_angular_sc`` (``k / (|u| |v|)``).\n"
        "See :class:`symbolic.pair.PairDerivatives` for the meaning of each returned coefficient.\n"
        "``relu_gram_unit`` is Du et al.'s ``H_inf`` of the directions of two points, in the\n"
        "invariants ``A = |x|^2``, ``B = |y|^2``, ``P = x.y`` (from\n"
        ":func:`symbolic.gram.gram_in_invariants`).\n"
        '"""\n'
    ]
    names = ", ".join(f'"huu_{n}"' for n in HESSIAN_BASIS) + ", " + ", ".join(
        f'"huv_{n}"' for n in HESSIAN_BASIS
    )
    parts.append(f"HESSIAN_NAMES = ({names})\n")
    S, C = sp.symbols("S C")
    trig = {sp.sin(theta): S, sp.cos(theta): C}
    for act in ACTIVATIONS:
        d = pair_derivatives(act)
        groups = (
            ("value_gradient", (d.kernel, d.gradient_u_hat, d.gradient_v_hat),
             "(k, g_u, g_v): k(u, v) and grad_u k = g_u u_hat + g_v v_hat."),
            ("hessian", tuple(d.hessian_uu) + tuple(d.hessian_uv),
             "Coefficients of d2k/dudu^T then d2k/dudv^T on (I, uu, ue, eu, ee)."),
        )
        for name, exprs, doc in groups:
            # The evaluators know sin(theta) and cos(theta) already (from the Gram entry or
            # Kahan's half-angle norms): the *_sc form takes them, saving two transcendental
            # functions per pair; the plain form computes them and delegates.
            parts.append(function_source(
                f"{act}_{name}_sc", (a, b, theta, S, C), [e.subs(trig) for e in exprs],
                doc + " S = sin(theta), C = cos(theta) given."))
            parts.append(
                f"def {act}_{name}(a, b, theta, PI, F):\n"
                f'    """{doc}"""\n'
                f"    return {act}_{name}_sc(a, b, theta, F.sin(theta), F.cos(theta), PI, F)\n")
        # Loss and gradient of a whole network come from these affine angular factors
        # through matrix products (numeric.precise); the per-pair functions serve the Hessian.
        parts.append(angular_function_source(
            f"{act}_gradient_angular", d.gradient_u_hat.subs(trig), d.gradient_v_hat.subs(trig), S, C))
        # The loss alone needs only k / (|u| |v|) per pair (k is 1-homogeneous in each argument).
        kernel_angular = sp.simplify(d.kernel / (a * b))
        if kernel_angular.has(a) or kernel_angular.has(b):
            raise ArithmeticError(f"kernel {d.kernel} is not |u| |v| times a function of the angle")
        parts.append(function_source(
            f"{act}_kernel_angular_sc", (theta, S, C), [kernel_angular.subs(trig)],
            "(``k / (|u| |v|)``,): the kernel's angular factor. S = sin(theta), C = cos(theta) given."))
    # Du et al.'s H_inf for the unit directions x/|x|, y/|y| (numeric.finite_width).
    parts.append(function_source(
        "relu_gram_unit", (A, B, P), [gram_in_invariants() / sp.sqrt(A * B)],
        "(``H_inf(x/|x|, y/|y|)``,) from ``A = |x|^2``, ``B = |y|^2``, ``P = x.y``: Du et al.'s "
        "Gram matrix entry."))
    return "\n\n".join(parts)


def main(argv=None) -> int:
    PAIR_MODULE_PATH.write_text(pair_module_source())
    print(f"wrote {PAIR_MODULE_PATH.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
