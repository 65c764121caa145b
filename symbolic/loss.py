"""The population loss as a printable SymPy expression, and its derivatives at pair level.

With the effective vectors ``u_j = |w_j| w_j`` (so ``|w_j| |w_j.x| = |u_j.x|``) the loss of
eq. (1), p.4, is a sum of pair kernels (paper-notes Sec. 1.1):

    L(W) = 1/2 [ sum_{j,l} k(u_j, u_l) - 2 sum_{j,i} k(u_j, w*_i) + sum_{i,l} k(w*_i, w*_l) ].

Here ``k`` stays an unevaluated symmetric function, so the expression is small and prints
well; :func:`gradient_derivation` and :func:`hessian_derivation` assemble the network's
derivatives from the pair derivatives of :mod:`symbolic.pair`, whose size does not depend
on the width ``m`` or the dimension ``d``.

The kernel ``k`` and the expression for given widths live in :mod:`symbolic.kernel_sum`.

>>> print(loss_sum_expression())
Sum(k(u[j], u[l]), (j, 1, m), (l, 1, m))/2 - Sum(k(u[j], w^*[i]), (j, 1, m), (i, 1, r)) + Sum(k(w^*[i], w^*[i']), (i, 1, r), (i', 1, r))/2
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from symbolic.derivation import Derivation, Step, require_equal
from symbolic.kernel import ACTIVATIONS, kernel_closed_form, theta
from symbolic.kernel_sum import k, loss_expression, u, w_star
from symbolic.pair import HESSIAN_BASIS, pair_derivatives

__all__ = [
    "loss_sum_expression",
    "loss_derivation",
    "pair_limits",
    "pair_derivation",
    "gradient_derivation",
    "hessian_derivation",
    "loss_latex",
    "gradient_latex",
    "hessian_latex",
    "derivations",
]

_j, _l, _i, _i2 = sp.symbols("j l i i'", integer=True, positive=True)
_m, _r = sp.symbols("m r", integer=True, positive=True)
_d = sp.Symbol("d", integer=True, positive=True)


def loss_sum_expression() -> sp.Expr:
    """The loss for symbolic widths ``m`` (students) and ``r`` (teachers), as sums.

    ``loss_sum_expression().subs({m: 2, r: 1}).doit()`` is ``loss_expression(1, 2)``.
    """
    kk = lambda x, y: k(x, y, evaluate=False)  # noqa: E731 -- keep u before w* in print
    return sp.Rational(1, 2) * (
        sp.Sum(kk(u[_j], u[_l]), (_j, 1, _m), (_l, 1, _m))
        - 2 * sp.Sum(kk(u[_j], w_star[_i]), (_j, 1, _m), (_i, 1, _r))
        + sp.Sum(kk(w_star[_i], w_star[_i2]), (_i, 1, _r), (_i2, 1, _r))
    )


def _vector(name: str) -> sp.MatrixSymbol:
    return sp.MatrixSymbol(name, _d, 1)


def _expanded_square_in_kernels(r: int, m: int) -> sp.Expr:
    """Expand ``(sum_j |u_j.x| - sum_i |w*_i.x|)^2 / 2`` and take the expectation of each
    product of two factors, which is a pair kernel."""
    students = sp.symbols(f"s1:{m + 1}", positive=True)  # s_j stands for |u_j.x|
    teachers = sp.symbols(f"t1:{r + 1}", positive=True)  # t_i stands for |w*_i.x|
    vectors = {**{s: u[j + 1] for j, s in enumerate(students)},
               **{t: w_star[i + 1] for i, t in enumerate(teachers)}}
    square = sp.Poly((sum(students) - sum(teachers)) ** 2 / 2, *students, *teachers)
    out = sp.Integer(0)
    for exponents, coeff in square.terms():
        factors = [g for g, e in zip(square.gens, exponents) for _ in range(e)]
        out += coeff * k(vectors[factors[0]], vectors[factors[1]])
    return out


@lru_cache(maxsize=None)
def loss_derivation() -> Derivation:
    """From ``L = E[R^2]/2`` (eq. (1), p.4) to the kernel form, derived on an instance."""
    general = loss_sum_expression()
    dot = lambda name: sp.Abs(sp.Symbol(name, real=True))  # noqa: E731 (display only)
    steps = (
        Step(
            "residual (p.11); the top weight $\\|w_j\\|$ is absorbed into $u_j = \\|w_j\\| w_j$, "
            "since $\\|w_j\\||w_j^T x| = |u_j^T x|$ (so $\\|u_j\\| = \\|w_j\\|^2$); $R(x) =$",
            sp.Sum(dot("u_{j}^{T} x"), (_j, 1, _m)) - sp.Sum(dot("w^{*T}_{i} x"), (_i, 1, _r)),
        ),
        Step(
            "expand $L = \\frac12 E[R(x)^2]$; the expectation of each product of two terms is a "
            "pair kernel $k(u, v) = E|u^T x||v^T x|$; $L(W) =$",
            general,
        ),
        require_equal(
            "the expansion carried out for $m = 2$, $r = 2$ agrees with loss_expression(2, 2)",
            _expanded_square_in_kernels(2, 2), loss_expression(2, 2), display=loss_expression(2, 2),
        ),
        Step("with the pair kernel of symbolic.kernel, $a = \\|u\\|$, $b = \\|v\\|$; $k(u, v) =$",
             kernel_closed_form("abs")),
    )
    return Derivation("loss.closed_form", "The loss as a sum of pair kernels", steps, general)


@lru_cache(maxsize=None)
def pair_limits(activation: str = "abs") -> dict:
    """``{coefficient name: (limit at theta -> 0+, limit at theta -> pi-)}`` for the pair
    gradient and Hessian coefficients of :func:`symbolic.pair.pair_derivatives`.

    Every limit is finite, and the coefficients of ``e_hat`` vanish at both ends, so the
    formulas hold at aligned and antipodal pairs, where ``e_hat`` is undefined.
    """
    d = pair_derivatives(activation)
    out = {}
    for name, expr in d.expressions().items():
        if name == "kernel":
            continue
        lims = (sp.limit(expr, theta, 0, "+"), sp.limit(expr, theta, sp.pi, "-"))
        if not all(sp.simplify(x).is_finite for x in lims):
            raise ArithmeticError(f"{activation} {name}: infinite limit {lims}")
        out[name] = lims
    return out


def _limit_table(names, limits, exprs) -> sp.ImmutableMatrix:
    """Rows ``(coefficient, expression, limit at 0+, limit at pi-)``."""
    return sp.ImmutableMatrix([[sp.Symbol(n), exprs[n], *limits[n]] for n in names])


def _check_e_terms_vanish(limits, names) -> None:
    for n in names:
        if any(sp.simplify(x) != 0 for x in limits[n]):
            raise ArithmeticError(f"coefficient {n} carries e_hat but does not vanish: {limits[n]}")


def _norm_times_w():
    """Coordinates ``w`` in R^3, ``|w|`` and ``u = |w| w`` (three suffice: rotation
    equivariance, as in :mod:`symbolic.pair`)."""
    w = sp.Matrix(sp.symbols("w1:4", real=True))
    nw = sp.sqrt(w.dot(w))
    return w, nw, nw * w


def _unit_reduce(M: sp.Matrix, n: sp.Matrix) -> sp.Matrix:
    """Reduce a polynomial matrix in ``n`` modulo ``|n|^2 = 1``."""
    rule = n[2] ** 2 - (1 - n[0] ** 2 - n[1] ** 2)
    return M.applyfunc(lambda e: sp.reduced(sp.expand(e), [rule], *reversed(list(n)))[1])


_X, _Y = sp.symbols("X Y", real=True)
#: A symmetric function of two scalars standing in for ``k``: assembling the network's
#: derivatives from pair derivatives uses nothing about ``k`` but its symmetry.
_STAND_IN_KERNEL = _X * _Y * (_X + _Y) ** 2 + _X**3 * _Y**3


def _stand_in_loss(r: int, m: int):
    """``loss_expression(r, m)`` with scalar vectors ``s_j``, ``t_i`` and the stand-in kernel."""
    ss = sp.symbols(f"s1:{m + 1}", real=True)
    ts = sp.symbols(f"t1:{r + 1}", real=True)

    def scalar(z):
        return (ss if z.base == u else ts)[int(z.indices[0]) - 1]

    L = loss_expression(r, m).replace(
        k, lambda x, y: _STAND_IN_KERNEL.subs({_X: scalar(x), _Y: scalar(y)}, simultaneous=True))
    return ss, ts, L


def _stand_in_partial(*wrt):
    """A partial derivative of the stand-in kernel, as a function of its two arguments."""
    expr = sp.diff(_STAND_IN_KERNEL, *wrt)
    return lambda x, y: expr.subs({_X: x, _Y: y}, simultaneous=True)


@lru_cache(maxsize=None)
def gradient_derivation(activation: str = "abs") -> Derivation:
    """Pair gradient, its limits, and the chain rule to ``grad_{w_j} L`` (p.11, Lemma D.1)."""
    pd = pair_derivatives(activation)
    uh, vh, wb, g = _vector("uhat"), _vector("vhat"), _vector("wbar_j"), _vector("g_j")
    I = sp.Identity(_d)
    limits = pair_limits(activation)
    steps = [
        Step("pair gradient (symbolic.pair), $\\theta \\in [0, \\pi]$ the angle of $u$ and $v$; "
             "$\\nabla_u k(u, v) =$",
             pd.gradient_u_hat * uh + pd.gradient_v_hat * vh),
        Step("the coefficients $g_u, g_v$ and their limits at $\\theta \\to 0^+$ and "
             "$\\theta \\to \\pi^-$: all finite, no $1/\\sin\\theta$ survives",
             _limit_table(("grad_u", "grad_v"), limits, pd.expressions())),
    ]

    # d/du_j of L: k(u_j, u_l) appears twice for l != j, and once with both arguments u_j.
    ss, ts, L = _stand_in_loss(2, 3)
    d1 = _stand_in_partial(_X)
    steps.append(require_equal(
        "network gradient in $u_j$: $\\nabla_{u_j} L = \\sum_l \\nabla_1 k(u_j, u_l) - "
        "\\sum_i \\nabla_1 k(u_j, w^*_i)$, checked for $m = 3$, $r = 2$ with scalar vectors and "
        "the symmetric stand-in kernel",
        sp.diff(L, ss[0]), sum(d1(ss[0], y) for y in ss) - sum(d1(ss[0], y) for y in ts),
        display=sp.Eq(sp.Symbol("k(X, Y)"), _STAND_IN_KERNEL)))

    w, nw, uw = _norm_times_w()
    jac = uw.jacobian(w)
    steps.append(require_equal(
        "Jacobian of $u = \\|w\\| w$ (Lemma D.1) is $\\|w\\|(I + \\bar w \\bar w^T)$; in "
        "coordinates $w \\in R^3$ the difference of the two sides is",
        jac, nw * (sp.eye(3) + w * w.T / nw**2), display=sp.zeros(3, 3)))
    steps.append(Step(
        "chain rule (p.11), with $g_j = \\nabla_{u_j} L$: $\\nabla_{w_j} L =$",
        sp.Symbol(r"\|w_{j}\|") * (I + wb * wb.T) * g))
    n = sp.Matrix(sp.symbols("n1:4", real=True))
    steps.append(require_equal(
        "preconditioner inverse (Lemma 8): $(I + \\bar w\\bar w^T)(I - \\frac12 \\bar w \\bar "
        "w^T)$ in coordinates, reduced modulo $\\|\\bar w\\|^2 = 1$, is",
        _unit_reduce((sp.eye(3) + n * n.T) * (sp.eye(3) - n * n.T / 2), n), sp.eye(3),
        display=sp.eye(3)))
    return Derivation(
        f"gradient.{activation}",
        f"Gradient of the loss from the pair gradient ({activation})",
        tuple(steps),
        sp.Tuple(pd.gradient_u_hat, pd.gradient_v_hat),
    )


def _block(coefficients, basis) -> sp.Expr:
    return sp.MatAdd(*(c * B for c, B in zip(coefficients, basis) if c != 0))


@lru_cache(maxsize=None)
def hessian_derivation(activation: str = "abs") -> Derivation:
    """Pair Hessian blocks, their limits, and the assembly of the network Hessian."""
    pd = pair_derivatives(activation)
    uh, eh = _vector("uhat"), _vector("ehat")
    I = sp.Identity(_d)
    basis = (I, uh * uh.T, uh * eh.T, eh * uh.T, eh * eh.T)
    limits = pair_limits(activation)
    uu_names = tuple(f"huu_{n}" for n in HESSIAN_BASIS)
    uv_names = tuple(f"huv_{n}" for n in HESSIAN_BASIS)
    # e_hat is undefined at theta = 0, pi; its coefficients must vanish there.
    _check_e_terms_vanish(limits, [n for n in uu_names + uv_names if n[-2:] in ("ue", "eu", "ee")])
    steps = [
        Step("pair Hessian block (symbolic.pair), $\\hat e$ the unit part of $v$ orthogonal to "
             "$u$; $\\nabla_{uu} k(u, v) =$", _block(pd.hessian_uu, basis)),
        Step("and $\\nabla_{uv} k(u, v) =$", _block(pd.hessian_uv, basis)),
        Step("the coefficients and their limits at $\\theta \\to 0^+$ and $\\theta \\to \\pi^-$: "
             "all finite, and those of $\\hat u\\hat e^T, \\hat e\\hat u^T, \\hat e\\hat e^T$ vanish, "
             "so the undefined $\\hat e$ drops out at aligned and antipodal pairs",
             _limit_table(uu_names + uv_names, limits, pd.expressions())),
    ]

    ss, ts, L = _stand_in_loss(2, 3)
    d11, d12 = _stand_in_partial(_X, _X), _stand_in_partial(_X, _Y)
    diagonal = (sum(d11(ss[0], y) for y in ss) + d12(ss[0], ss[0])
                - sum(d11(ss[0], y) for y in ts))
    steps.append(require_equal(
        "diagonal block $\\nabla^2_{u_j u_j} L = \\sum_l \\nabla_{uu} k(u_j, u_l) + "
        "\\nabla_{uv} k(u_j, u_j) - \\sum_i \\nabla_{uu} k(u_j, w^*_i)$ and off-diagonal block "
        "$\\nabla^2_{u_j u_l} L = \\nabla_{uv} k(u_j, u_l)$; checked for $m = 3$, $r = 2$ on the "
        "stand-in kernel, difference of the two sides (diagonal, off-diagonal)",
        sp.Matrix([sp.diff(L, ss[0], 2), sp.diff(L, ss[0], ss[1])]),
        sp.Matrix([diagonal, d12(ss[0], ss[1])]),
        display=sp.zeros(2, 1)))

    w, nw, uw = _norm_times_w()
    gs = sp.Matrix(sp.symbols("g1:4", real=True))
    curvature = sum((gs[c] * sp.hessian(uw[c], w) for c in range(3)), sp.zeros(3, 3))
    wbar = w / nw
    steps.append(require_equal(
        "second derivative of $u = \\|w\\| w$ contracted with $g$: $\\sum_c g_c \\nabla^2 u_c = "
        "g\\bar w^T + \\bar w g^T + (g^T\\bar w)(I - \\bar w\\bar w^T)$; in coordinates the "
        "difference of the two sides is",
        curvature, gs * wbar.T + wbar * gs.T + gs.dot(wbar) * (sp.eye(3) - wbar * wbar.T),
        display=sp.zeros(3, 3)))
    wbj, wbl, gj = _vector("wbar_j"), _vector("wbar_l"), _vector("g_j")
    Jj = sp.Symbol(r"\|w_{j}\|") * (I + wbj * wbj.T)
    Jl = sp.Symbol(r"\|w_{l}\|") * (I + wbl * wbl.T)
    Huu = sp.MatrixSymbol(r"\nabla^{2}_{u_{j} u_{l}} L", _d, _d)
    steps.append(Step(
        "chain rule, $J_j = \\|w_j\\|(I + \\bar w_j\\bar w_j^T)$, $g_j = \\nabla_{u_j} L$, "
        "$\\delta_{jl}$ the Kronecker delta: $\\nabla^2_{w_j w_l} L =$",
        Jj * Huu * Jl + sp.Symbol(r"\delta_{jl}") * (
            gj * wbj.T + wbj * gj.T + sp.Symbol(r"g_{j}^{T} \bar{w}_{j}") * (I - wbj * wbj.T))))
    return Derivation(
        f"hessian.{activation}",
        f"Hessian of the loss from the pair Hessian blocks ({activation})",
        tuple(steps),
        sp.Tuple(sp.Tuple(*pd.hessian_uu), sp.Tuple(*pd.hessian_uv)),
    )


@lru_cache(maxsize=None)
def pair_derivation(activation: str = "abs") -> Derivation:
    """The steps recorded by :func:`symbolic.pair.pair_derivatives`, as a :class:`Derivation`."""
    pd = pair_derivatives(activation)
    return Derivation(
        f"pair.{activation}",
        f"Derivatives of one pair kernel ({activation}) through the invariants A, B, P",
        tuple(Step(desc, expr) for desc, expr in pd.steps),
        sp.Tuple(pd.gradient_u_hat, pd.gradient_v_hat, sp.Tuple(*pd.hessian_uu),
                 sp.Tuple(*pd.hessian_uv)),
    )


def loss_latex() -> str:
    """LaTeX of the general loss formula (sums over ``j, l <= m`` and ``i, i' <= r``).

    >>> loss_latex().startswith("L(W) = ")
    True
    """
    body = sp.latex(loss_sum_expression())
    kern = sp.latex(kernel_closed_form("abs"))
    return (
        f"L(W) = {body}, \\qquad u_j = \\|w_j\\| w_j, \\qquad "
        f"k(u, v) = {kern}\\ \\ (a = \\|u\\|, b = \\|v\\|)"
    )


def gradient_latex(activation: str = "abs") -> str:
    """LaTeX of :func:`gradient_derivation`."""
    return gradient_derivation(activation).latex()


def hessian_latex(activation: str = "abs") -> str:
    """LaTeX of :func:`hessian_derivation`."""
    return hessian_derivation(activation).latex()


@lru_cache(maxsize=None)
def derivations() -> tuple[Derivation, ...]:
    """Everything the report prints, in reading order: kernels from the Gaussian integral,
    the loss, pair derivatives, network gradient and Hessian, then the identities."""
    # Imported here: symbolic.identities builds on loss_expression.
    from symbolic.gaussian_integral import kernel_derivation
    from symbolic.identities import identities

    out = [kernel_derivation(act) for act in ACTIVATIONS]
    out.append(loss_derivation())
    for act in ACTIVATIONS:
        out.append(pair_derivation(act))
    out.append(gradient_derivation("abs"))
    out.append(hessian_derivation("abs"))
    seen = {d.name for d in out}
    for ident in identities():
        if ident.derivation.name not in seen:
            seen.add(ident.derivation.name)
            out.append(ident.derivation)
    return tuple(out)
