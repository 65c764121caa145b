"""The neural tangent kernels of the two-layer ReLU network, from the Gaussian integral.

Du, Zhai, Poczos, Singh (ICLR 2019, Assumption 3.1) train the first layer of
``f(W, a, x) = m^{-1/2} sum_r a_r relu(w_r . x)`` with ``a_r`` in ``{-1, +1}`` fixed; the
tangent kernel of that network at initialisation ``w_r ~ N(0, I)`` tends, as ``m -> oo``, to

    H_inf(x, y) = E_w[ x.y 1{w.x >= 0} 1{w.y >= 0} ],

the ReLU kernel's relative with indicators in place of activations.  The expectation over
``w`` is the same plane integral as the pair kernel (:mod:`symbolic.gaussian_integral`),
with degree 0 and the sign weight ``(1 + s1)(1 + s2)/4``; it is derived here, not typed, and
checked against the derivative of the ReLU kernel in the inner product
(``d k_relu / dP = (pi - theta)/(2 pi)``: the arc-cosine kernel of degree 0).

The finite-width kernel ``H(W)_ij = (1/m) x_i.x_j sum_r 1{w_r.x_i >= 0} 1{w_r.x_j >= 0}`` is
``DF DF^T`` for ``F(W) = (f(W, a, x_i))_i`` (the Jacobian is in :mod:`numeric.finite_width`),
which is also Liu, Zhu, Belkin's tangent kernel ``K`` of this network.

>>> gram_in_invariants().subs({A: 1, B: 1, P: 1})
1/2
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from symbolic.derivation import Derivation, Step, require_equal
from symbolic.gaussian_integral import plane_expectation
from symbolic.kernel import A, B, P, kernel_in_invariants, theta

__all__ = ["A", "B", "P", "gram_derivation", "gram_closed_form", "gram_in_invariants"]


@lru_cache(maxsize=None)
def gram_derivation() -> Derivation:
    """Derive ``H_inf(x, y)`` for ``|x| = |y| = 1`` at angle ``theta`` from the Gaussian integral.

    Raises :class:`ArithmeticError` if the integral disagrees with the derivative of the
    ReLU kernel in ``P``.
    """
    steps = [Step(
        "$H^\\infty(x, y) = x^\\top y\\, \\Pr_w[w^\\top x \\ge 0, w^\\top y \\ge 0]$ with "
        "$w \\sim N(0, I)$; only the plane of $x, y$ matters, $x = e_1$, "
        "$y = \\cos\\theta e_1 + \\sin\\theta e_2$, and the indicator of "
        "$\\mathrm{sgn}\\cos\\phi = s_1$, $\\mathrm{sgn}\\cos(\\phi - \\theta) = s_2$ is the "
        "weight $(1 + s_1)(1 + s_2)/4$ of a degree-0 plane expectation", sp.cos(theta))]
    plane_steps, probability = plane_expectation(
        sp.Integer(1), lambda s1, s2: sp.Rational((1 + s1) * (1 + s2), 4), degree=0)
    steps.extend(plane_steps)
    result = sp.factor(sp.cos(theta) * probability)
    steps.append(Step("times $x^\\top y = \\cos\\theta$", result))
    # The same quantity from the ReLU kernel: d/dP k_relu(A, B, P) = (pi - theta)/(2 pi).
    dk = sp.diff(kernel_in_invariants("relu"), P).subs({A: 1, B: 1})
    # On 0 < theta < pi: sqrt(1 - cos^2) = sin and atan2(sin, cos) = theta.
    on_circle = dk.subs(sp.sqrt(1 - P ** 2), sp.sin(theta)).subs(P, sp.cos(theta))
    on_circle = on_circle.subs(sp.atan2(sp.sin(theta), sp.cos(theta)), theta)
    steps.append(require_equal(
        "agrees with $x^\\top y\\,\\partial_P k_{\\mathrm{relu}}$, the ReLU kernel differentiated "
        "in the inner product $P = x^\\top y$ (on $0 < \\theta < \\pi$)", result,
        sp.cos(theta) * on_circle))
    return Derivation(name="gram.du", title="Du et al.'s H-infinity from the Gaussian integral",
                      steps=tuple(steps), result=result)


def gram_closed_form() -> sp.Expr:
    """``H_inf`` for unit inputs at angle ``theta``: the derived result.

    >>> gram_closed_form()
    (pi - theta)*cos(theta)/(2*pi)
    """
    return gram_derivation().result


def gram_in_invariants() -> sp.Expr:
    """``H_inf`` for inputs of any norm in ``A = |x|^2, B = |y|^2, P = x.y``: the indicator
    probability depends on the angle only, ``theta = atan2(sqrt(A B - P^2), P)``."""
    angle = sp.atan2(sp.sqrt(A * B - P ** 2), P)
    expr = gram_closed_form() / sp.cos(theta)
    return P * expr.subs(theta, angle)


@lru_cache(maxsize=None)
def pl_identity_derivation(n: int = 2, m: int = 2, d: int = 2) -> Derivation:
    """Liu, Zhu, Belkin's identity ``|grad L|^2 = (F - y)^T K (F - y)``, ``K = DF DF^T``, for
    the two-layer ReLU network with ``n`` points, width ``m``, dimension ``d``.

    On a region where every gate ``1{w_r.x_i >= 0}`` is fixed (a symbol ``s_ir``; the
    network is piecewise linear in ``W``), ``F_i = m^{-1/2} sum_r a_r s_ir w_r.x_i``.  SymPy
    differentiates ``L = |F - y|^2 / 2`` and ``F`` and expands the difference of the two
    sides to 0 (raises :class:`ArithmeticError` otherwise).

    >>> pl_identity_derivation(1, 1, 1).result
    True
    """
    W = sp.Matrix(m, d, lambda r, k: sp.Symbol(f"w_{r}{k}", real=True))
    X = sp.Matrix(n, d, lambda i, k: sp.Symbol(f"x_{i}{k}", real=True))
    gate = sp.Matrix(n, m, lambda i, r: sp.Symbol(f"s_{i}{r}", real=True))
    a = sp.Matrix(m, 1, lambda r, _: sp.Symbol(f"a_{r}", real=True))
    y = sp.Matrix(n, 1, lambda i, _: sp.Symbol(f"y_{i}", real=True))
    F = sp.Matrix(n, 1, lambda i, _: sum(a[r] * gate[i, r] * (W.row(r) * X.row(i).T)[0]
                                         for r in range(m)) / sp.sqrt(m))
    params = list(W)
    residual = F - y
    L = (residual.T * residual)[0] / 2
    grad = sp.Matrix([sp.diff(L, p) for p in params])
    J = F.jacobian(params)
    K = J * J.T
    lhs = sp.expand((grad.T * grad)[0])
    rhs = sp.expand((residual.T * K * residual)[0])
    if sp.expand(lhs - rhs) != 0:
        raise ArithmeticError("|grad L|^2 - (F - y)^T K (F - y) does not expand to 0")
    steps = (
        Step("outputs on a region of fixed gates $s_{ir}$, $F_i =$", F),
        Step("tangent kernel $K = DF\\,DF^\\top$", K),
        Step("$\\|\\nabla L\\|^2 - (F - y)^\\top K (F - y)$ expands to", sp.expand(lhs - rhs)),
    )
    return Derivation(name=f"tangent_kernel.identity.n{n}m{m}d{d}",
                      title="Liu, Zhu, Belkin's gradient identity for the two-layer ReLU network",
                      steps=steps, result=sp.true)
