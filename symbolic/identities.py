"""Exact identities the paper leans on, each derived with SymPy and checked.

Every :class:`Identity` carries the expression that came out of its derivation, the
:class:`~symbolic.derivation.Derivation` that produced it (steps that raise if a check
fails), and, when the identity is a number, that number exactly (``value``).

=============================  =====================================================
name                           content
=============================  =====================================================
claim2.delta2_coefficient      Claim 2 (Sec. 4, p.7-8): the delta^2 coefficient of L, 0
claim2.delta3_coefficient      the delta^3 coefficient of L in Claim 2's configuration
exact_param.expansion          one student at angle delta: L = delta^2/2 - ... (Sec. 4)
lemmaD2                        E[(b.x)^2 1{sgn a.x != sgn b.x}] = (phi - sin phi cos phi)/pi
lemmaD2.leading_coefficient    ... = (2/(3 pi)) phi^3 + O(phi^5)
lemmaC11.hermite_<k>           Hermite coefficient E[|z| h_k(z)], k = 0..10 (Lemma C.11)
M.block                        E[x x^T sgn(a.x) sgn(b.x)] (eq. (4)) from the Hessian of k
relu.reduction                 min_beta L_relu = L_abs / 4 (App. A.1, p.17)
=============================  =====================================================

>>> hermite_closed_form(4)
-sqrt(3)/(6*sqrt(pi))
>>> hermite_closed_form(7)
0
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from symbolic.derivation import Derivation, Step, require_equal
from symbolic.gaussian_integral import (
    PHI,
    SIGN_FACTORS,
    kernel_derivation,
    plane_expectation,
)
from symbolic.kernel import a, b, kernel_closed_form, theta
from symbolic.kernel_sum import k, loss_expression, u, w_star
from symbolic.pair import pair_derivatives

__all__ = [
    "Identity",
    "delta",
    "varphi",
    "HERMITE_ORDERS",
    "hermite_closed_form",
    "hermite_coefficient_derivation",
    "planar_loss",
    "identities",
    "identity",
]

delta = sp.Symbol("delta", positive=True)
varphi = sp.Symbol("varphi", positive=True)
_z = sp.Symbol("z", real=True)

#: Orders ``k`` of the Hermite coefficients derived for Lemma C.11.
HERMITE_ORDERS = tuple(range(11))


@dataclass(frozen=True)
class Identity:
    """An exact identity: ``expr`` is its derived form, ``value`` the number it equals
    (``None`` when it is not a number)."""

    name: str
    title: str
    source: str
    expr: sp.Expr
    derivation: Derivation
    value: sp.Expr | None = None

    def latex(self) -> str:
        """LaTeX of the derived form (math mode, no delimiters)."""
        return sp.latex(self.expr)

    def value_string(self, digits: int = 30) -> str | None:
        """``value`` to ``digits`` significant digits (``"0"`` for an exact zero).

        >>> Identity("x", "x", "-", sp.pi, None, sp.pi).value_string(10)
        '3.141592654'
        """
        if self.value is None:
            return None
        if self.value == 0:
            return "0"
        return str(sp.N(self.value, digits))


# --- losses of planar configurations (Claim 2 and the exact-parameterization case) -------

def planar_loss(r: int, m: int, norms: dict, angles: dict) -> sp.Expr:
    """``loss_expression(r, m)`` with ``k`` replaced by the abs kernel of planar vectors.

    ``norms`` and ``angles`` map ``u[j]`` and ``w_star[i]`` to the vector's norm and polar
    angle; the kernel's angle is ``|angle_x - angle_y|``, which must lie in ``[0, pi]``.
    """
    closed = kernel_closed_form("abs")

    def pair(x, y):
        return closed.subs(
            {a: norms[x], b: norms[y], theta: sp.Abs(angles[x] - angles[y])}, simultaneous=True
        )

    return loss_expression(r, m).replace(k, pair)


def _series_steps(L: sp.Expr, order: int):
    series = sp.series(L, delta, 0, order).removeO()
    coeffs = [sp.simplify(series.coeff(delta, n)) for n in range(order)]
    return series, coeffs


@lru_cache(maxsize=None)
def _claim2() -> tuple[Derivation, tuple]:
    """Claim 2: unit teacher ``e1``; students at angles ``+-delta`` with norms
    ``1/sqrt(2 cos delta)``, so ``|w_1| w_1 + |w_2| w_2 = w*``."""
    norm_w = 1 / sp.sqrt(2 * sp.cos(delta))
    w1 = norm_w * sp.Matrix([sp.cos(delta), sp.sin(delta)])
    w2 = norm_w * sp.Matrix([sp.cos(delta), -sp.sin(delta)])
    u1, u2 = norm_w * w1, norm_w * w2
    norms = {u[1]: norm_w**2, u[2]: norm_w**2, w_star[1]: sp.Integer(1)}
    angles = {u[1]: delta, u[2]: -delta, w_star[1]: sp.Integer(0)}
    L = planar_loss(1, 2, norms, angles)
    series, c = _series_steps(L, 4)
    steps = (
        require_equal(
            "effective vectors $u_j = \\|w_j\\| w_j$ sum to the teacher: $u_1 + u_2 = w^* = e_1$",
            sp.simplify(u1 + u2), sp.Matrix([1, 0])),
        Step("norms $\\|u_j\\| = \\|w_j\\|^2$ and polar angles of $u_1, u_2, w^*$; the angle "
             "between the students is $2\\delta$",
             sp.Tuple(sp.Tuple(norms[u[1]], norms[u[2]], 1), sp.Tuple(delta, -delta, 0))),
        Step("loss with $r = 1$, $m = 2$ (symbolic.loss); $L =$", loss_expression(1, 2)),
        Step("abs kernel at those norms and angles; $L(\\delta) =$", L),
        Step("series at $\\delta = 0$ ($\\delta > 0$; $L$ is even in $\\delta$); $L =$",
             series + sp.Order(delta**4)),
        Step("coefficients of $\\delta^0, \\delta^1, \\delta^2, \\delta^3$", sp.Tuple(*c)),
    )
    if c[2] != 0 or c[3] == 0:
        raise ArithmeticError(f"Claim 2 expansion is not Theta(delta^3): {series}")
    d = Derivation("claim2", "Claim 2: the loss of two students splitting one teacher",
                   steps, series)
    return d, tuple(c)


@lru_cache(maxsize=None)
def _exact_parameterization() -> tuple[Derivation, sp.Expr]:
    """One unit student at angle ``delta`` from a unit teacher (Sec. 4, p.7)."""
    norms = {u[1]: sp.Integer(1), w_star[1]: sp.Integer(1)}
    angles = {u[1]: delta, w_star[1]: sp.Integer(0)}
    L = planar_loss(1, 1, norms, angles)
    series, c = _series_steps(L, 4)
    steps = (
        Step("one student of norm 1 at angle $\\delta$, unit teacher; $L(\\delta) =$", L),
        Step("series at $\\delta = 0$; $L =$", series + sp.Order(delta**4)),
        require_equal("compared with the notes' $\\delta^2/2 - \\frac{2}{3\\pi}\\delta^3$",
                      series, delta**2 / 2 - 2 * delta**3 / (3 * sp.pi)),
    )
    if c[2] == 0:
        raise ArithmeticError(f"exact parameterization should be Theta(delta^2): {series}")
    return Derivation("exact_param", "Exact parameterization: one student near the teacher",
                      steps, series), series


# --- Lemma D.2 -----------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _lemma_d2() -> tuple[Derivation, sp.Expr, sp.Expr]:
    """``E[(b.x)^2 1{sgn(a.x) != sgn(b.x)}]`` for unit ``a = e1``, ``b`` at angle ``phi``."""
    # (b.x)^2 = rho^2 cos^2(phi - t); the indicator is (1 - s1 s2) / 2.
    plane_steps, value = plane_expectation(
        sp.cos(PHI - theta) ** 2, lambda s1, s2: sp.Rational(1 - s1 * s2, 2), degree=2)
    form = sp.expand_trig(sp.simplify(value.subs(theta, varphi)))
    paper = (varphi - sp.sin(varphi) * sp.cos(varphi)) / sp.pi
    series = sp.series(form, varphi, 0, 5).removeO()
    leading = series.coeff(varphi, 3)
    steps = (
        Step("$a = e_1$, $b = (\\cos\\varphi, \\sin\\varphi)$; in polar coordinates "
             "$(b^T x)^2 = \\rho^2\\cos^2(\\phi - \\varphi)$ and the indicator of different signs "
             "is $(1 - s_1 s_2)/2$ (the plane integral below writes $\\theta$ for $\\varphi$)",
             sp.cos(PHI - varphi) ** 2),
        *plane_steps,
        require_equal("agrees with Lemma D.2", form, paper),
        Step("series at $\\varphi = 0$ (no $\\varphi^1, \\varphi^2$ term); $\\Theta(\\varphi^3)$ with",
             series + sp.Order(varphi**5)),
    )
    if series.coeff(varphi, 1) != 0 or series.coeff(varphi, 2) != 0 or leading == 0:
        raise ArithmeticError(f"Lemma D.2 is not Theta(phi^3): {series}")
    d = Derivation("lemmaD2", "Lemma D.2: second moment on the disagreement region", steps, form)
    return d, form, leading


def lemma_d2_derivation() -> tuple[Derivation, sp.Expr]:
    """Lemma D.2 derived alone (without the other identities): the derivation and the
    derived form of ``E[(b.x)^2 1{sgn(a.x) != sgn(b.x)}]`` in ``varphi``, valid for every
    angle in ``[0, pi]`` (the pieces of the plane integral are).

    >>> lemma_d2_derivation()[1]
    (varphi - sin(varphi)*cos(varphi))/pi
    """
    d, form, _ = _lemma_d2()
    return d, form


# --- Lemma C.11 -----------------------------------------------------------------------------

def hermite_closed_form(order: int) -> sp.Expr:
    """Lemma C.11 (p.41): ``E[|z| h_k(z)]`` as stated in the paper."""
    if order < 0:
        raise ValueError(f"Hermite order must be >= 0, got {order}")
    if order % 2:
        return sp.Integer(0)
    if order == 0:
        return sp.sqrt(2 / sp.pi)
    if order == 2:
        return sp.sqrt(1 / sp.pi)
    return (-1) ** (order // 2 - 1) * sp.sqrt(2 / (sp.pi * sp.factorial(order))) * sp.factorial2(
        order - 3)


@lru_cache(maxsize=None)
def _half_line_moment(n: int) -> sp.Expr:
    """``int_0^oo z^n phi(z) dz`` with the standard normal density ``phi``."""
    return sp.integrate(_z**n * sp.exp(-_z**2 / 2), (_z, 0, sp.oo)) / sp.sqrt(2 * sp.pi)


@lru_cache(maxsize=None)
def hermite_coefficient_derivation(order: int) -> Derivation:
    """``E[|z| h_k(z)]``, ``h_k = He_k / sqrt(k!)``, by integration; checked against C.11."""
    h = sp.hermite_prob(order, _z) / sp.sqrt(sp.factorial(order))
    # E|z| h(z) = int_0^oo z (h(z) + h(-z)) phi(z) dz, by z -> -z on the negative half-line.
    folded = sp.Poly(sp.expand(_z * (h + h.subs(_z, -_z))), _z)
    terms = [(n, c) for (n,), c in folded.terms() if c != 0]  # none for odd k
    value = sp.simplify(sp.Add(*(c * _half_line_moment(n) for n, c in terms)))
    steps = [
        Step(f"normalised probabilists' Hermite polynomial $h_{{{order}}}(z)$", h),
        Step("fold the negative half-line ($z \\to -z$): with $\\gamma$ the standard normal "
             "density, $E|z| h(z) = \\int_0^\\infty \\gamma(z)\\,q(z)\\,dz$ where $q(z) =$",
             folded.as_expr()),
    ]
    if terms:
        steps.append(Step(
            "integrate term by term, $\\int_0^\\infty z^n \\gamma(z) dz$ for "
            f"$n = {', '.join(str(n) for n, _ in terms)}$",
            sp.Tuple(*(_half_line_moment(n) for n, _ in terms))))
    steps.append(require_equal(f"agrees with Lemma C.11 for $k = {order}$", value,
                               hermite_closed_form(order)))
    return Derivation(f"lemmaC11.hermite_{order}",
                      f"Lemma C.11: Hermite coefficient $E|z| h_{{{order}}}(z)$", tuple(steps), value)


# --- the blocks of M ---------------------------------------------------------------------

def _frame_matrix(c) -> sp.ImmutableMatrix:
    """``c0 I + c1 aa^T + c2 ae^T + c3 ea^T + c4 ee^T`` in the orthonormal frame (a, e, e_3)."""
    c0, c1, c2, c3, c4 = c
    return sp.ImmutableMatrix([[c0 + c1, c2, 0], [c3, c0 + c4, 0], [0, 0, c0]])


@lru_cache(maxsize=None)
def _m_block() -> tuple[Derivation, sp.Expr]:
    """``E[x x^T sgn(a.x) sgn(b.x)]`` (eq. (4)) as ``d^2 k / da db^T`` of the abs kernel."""
    coeffs = tuple(c.subs({a: 1, b: 1}) for c in pair_derivatives("abs").hessian_uv)
    from_hessian = _frame_matrix(coeffs)
    s, c = sp.sin(theta), sp.cos(theta)
    av, bv = sp.Matrix([1, 0, 0]), sp.Matrix([c, s, 0])
    notes = (1 - 2 * theta / sp.pi) * sp.eye(3) + 2 / (sp.pi * s) * (
        av * bv.T + bv * av.T - c * (av * av.T + bv * bv.T))
    # Direct Gaussian integral: x1 = rho cos phi, x2 = rho sin phi in the plane; x3 independent.
    sgn = lambda s1, s2: s1 * s2  # noqa: E731
    in_plane = {
        (0, 0): sp.cos(PHI) ** 2, (0, 1): sp.cos(PHI) * sp.sin(PHI), (1, 1): sp.sin(PHI) ** 2}
    entry = {ij: plane_expectation(f, sgn, 2)[1] for ij, f in in_plane.items()}
    entry[(2, 2)] = plane_expectation(sp.Integer(1), sgn, 0)[1]  # E[x3^2] = 1
    direct = sp.ImmutableMatrix(3, 3, lambda i, j: entry.get((min(i, j), max(i, j)), 0))
    A, E = sp.MatrixSymbol("a", 3, 1), sp.MatrixSymbol("e", 3, 1)
    basis = (sp.Identity(3), A * A.T, A * E.T, E * A.T, E * E.T)
    form = sp.MatAdd(*(ci * B for ci, B in zip(coeffs, basis) if ci != 0))
    steps = (
        Step("coefficients of $\\nabla_a\\nabla_b^T k(a, b)$ (symbolic.pair, $\\|a\\| = \\|b\\| = 1$) "
             "on $I, aa^T, ae^T, ea^T, ee^T$, $e$ the unit part of $b$ orthogonal to $a$",
             sp.Tuple(*coeffs)),
        Step("in the orthonormal frame $(a, e, e_3)$", from_hessian),
        require_equal("equals the direct Gaussian integral $E[x x^T \\mathrm{sgn}(a^T x)"
                      "\\mathrm{sgn}(b^T x)]$ (polar coordinates, as for the kernel)",
                      from_hessian, direct),
        require_equal("equals the notes' $(1 - \\frac{2\\theta}{\\pi})I + \\frac{2}{\\pi\\sin\\theta}"
                      "(ab^T + ba^T - \\cos\\theta(aa^T + bb^T))$ with $b = \\cos\\theta a + "
                      "\\sin\\theta e$", from_hessian, notes),
        require_equal("diagonal blocks ($\\theta = 0$) are $I$", from_hessian.subs(theta, 0),
                      sp.eye(3)),
        require_equal("the notes' form tends to $I$ as $\\theta \\to 0^+$",
                      notes.applyfunc(lambda e: sp.limit(e, theta, 0, "+")), sp.eye(3)),
    )
    d = Derivation("M.block", "Blocks of M (eq. (4)) from the Hessian of the kernel", steps, form)
    return d, form


# --- ReLU reduction ----------------------------------------------------------------------

@lru_cache(maxsize=None)
def _relu_reduction() -> Derivation:
    """App. A.1 (p.17): fitting a linear term turns the ReLU loss into 1/4 the abs loss."""
    p, n = sp.Symbol("p", positive=True), sp.Symbol("n", negative=True)
    relu = lambda z: sp.Max(0, z)  # noqa: E731
    relu_w, abs_w, id_w = SIGN_FACTORS["relu"], SIGN_FACTORS["abs"], SIGN_FACTORS["identity"]
    cross = sp.cos(PHI) * sp.cos(PHI - theta)

    def first_moment_against(w):  # E[sigma(u.x) v.x] with sigma(z) = z w(sgn z)
        return sp.factor(a * b * plane_expectation(cross, lambda s1, s2: w(s1) * id_w(s2))[1])

    relu_moment, abs_moment = first_moment_against(relu_w), first_moment_against(abs_w)
    k_abs, k_relu = kernel_derivation("abs").result, kernel_derivation("relu").result
    steps = [
        require_equal("$\\mathrm{relu}(z) = (z + |z|)/2$, checked for $z > 0$ and $z < 0$",
                      sp.Matrix([relu(p), relu(n)]), sp.Matrix([(p + abs(p)) / 2, (n + abs(n)) / 2]),
                      display=sp.Eq(sp.Max(0, _z), (_z + sp.Abs(_z)) / 2, evaluate=False)),
        require_equal("$E[\\mathrm{relu}(u^T x)\\, v^T x]$ (plane integral) is $u^T v/2$ for "
                      "every $v$, so $E[x\\,\\mathrm{relu}(w^T x)] = w/2$",
                      relu_moment, a * b * sp.cos(theta) / 2),
        require_equal("$E[|u^T x|\\, v^T x] = 0$ (plane integral), so $E[x |w^T x|] = 0$",
                      abs_moment, 0),
        require_equal("$k_{relu}(u, v) = (u^T v + k_{abs}(u, v))/4$ (the two kernel derivations)",
                      k_relu, (a * b * sp.cos(theta) + k_abs) / 4),
    ]

    # Loss level, on an instance (m = r = 2, d = 2): the identity is a sum of pair identities.
    r = m = dim = 2
    vec = {x: sp.Matrix(sp.symbols(f"{name}{idx}_1:{dim + 1}", real=True))
           for name, base, count in (("u", u, m), ("w", w_star, r))
           for idx in range(1, count + 1) for x in [base[idx]]}
    beta = sp.Matrix(sp.symbols(f"beta1:{dim + 1}", real=True))
    k_abs_f = sp.Function("k_abs")
    pair_relu = lambda x, y: (vec[x].dot(vec[y]) + k_abs_f(x, y)) / 4  # noqa: E731
    first_moment = (sum((vec[u[j]] for j in range(1, m + 1)), sp.zeros(dim, 1))
                    - sum((vec[w_star[i]] for i in range(1, r + 1)), sp.zeros(dim, 1))) / 2
    L_relu = (beta.dot(beta) / 2 + beta.dot(first_moment)
              + loss_expression(r, m).replace(k, pair_relu))
    L_abs = loss_expression(r, m).replace(k, k_abs_f)
    beta_star = sp.solve([sp.diff(L_relu, x) for x in beta], list(beta), dict=True)[0]
    fitted = sp.expand(L_relu.subs(beta_star))
    steps += [
        require_equal("ReLU student with a linear term, $m = r = 2$, $d = 2$: $L_{relu}(\\beta) = "
                      "\\frac12\\|\\beta\\|^2 + \\beta^T E[x R_{relu}] + \\frac12 E[R_{relu}^2]$ "
                      "with the identities above; its minimiser is $\\beta^* = \\frac12\\sum_i w^*_i "
                      "- \\frac12\\sum_j u_j$, here $\\beta^* =$",
                      sp.Matrix([beta_star[x] for x in beta]), -first_moment, display=-first_moment),
        require_equal("$L_{relu}(\\beta^*) = \\frac14 L_{abs}$", fitted, sp.expand(L_abs / 4)),
    ]
    return Derivation("relu.reduction", "ReLU with a fitted linear term is 1/4 of the abs loss",
                      tuple(steps), sp.Rational(1, 4))


# --- the registry ------------------------------------------------------------------------

@lru_cache(maxsize=None)
def identities() -> tuple[Identity, ...]:
    """All identities, derived once per session."""
    out = []
    claim2, c = _claim2()
    out.append(Identity(
        "claim2.delta2_coefficient",
        "Claim 2: the delta^2 coefficient of L(delta) vanishes (degenerate Hessian at the minimum)",
        "Claim 2, Sec. 4, p.7-8", c[2], claim2, c[2]))
    out.append(Identity(
        "claim2.delta3_coefficient",
        "Claim 2: the exact coefficient c3 in L(delta) = c3 delta^3 + O(delta^4), two students "
        "at angles +-delta splitting a unit teacher",
        "Claim 2, Sec. 4, p.7-8", c[3], claim2, c[3]))
    exact, series = _exact_parameterization()
    out.append(Identity(
        "exact_param.expansion",
        "Exact parameterization: one unit student at angle delta, L(delta) through delta^3",
        "Sec. 4, p.7 (loss Theta(delta^2) without over-parameterization)", series, exact, None))
    d2, form, leading = _lemma_d2()
    out.append(Identity(
        "lemmaD2",
        "E[(b.x)^2 1{sgn(a.x) != sgn(b.x)}] for unit a, b at angle varphi",
        "Lemma D.2 (App. D)", form, d2, None))
    out.append(Identity(
        "lemmaD2.leading_coefficient",
        "Lemma D.2 is Theta(varphi^3): coefficient of varphi^3",
        "Lemma D.2 (App. D)", leading, d2, leading))
    for order in HERMITE_ORDERS:
        d = hermite_coefficient_derivation(order)
        out.append(Identity(
            f"lemmaC11.hermite_{order}",
            f"Hermite coefficient E[|z| h_{order}(z)], h_k = He_k / sqrt(k!)",
            "Lemma C.11, p.41", d.result, d, d.result))
    m_block, m_form = _m_block()
    out.append(Identity(
        "M.block",
        "Block of M: E[x x^T sgn(a.x) sgn(b.x)] for unit a, b at angle theta, e the unit part "
        "of b orthogonal to a",
        "eq. (4) (matrix M), Lemma 11 p.12", m_form, m_block, None))
    relu = _relu_reduction()
    out.append(Identity(
        "relu.reduction",
        "ReLU loss with the optimal linear term fitted, divided by the abs loss",
        "App. A.1, p.17", relu.result, relu, relu.result))
    return tuple(out)


def identity(name: str) -> Identity:
    """The identity called ``name``; ``KeyError`` names the known ones."""
    for ident in identities():
        if ident.name == name:
            return ident
    raise KeyError(f"no identity {name!r}; known: {', '.join(i.name for i in identities())}")

