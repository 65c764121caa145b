"""The symbolic loss and the pair-level gradient/Hessian formulas, checked numerically."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symbolic.derivation import Derivation
from symbolic.kernel import a, b, theta
from symbolic.kernel_sum import k, loss_expression, u, w_star
from symbolic.loss import (
    derivations,
    gradient_derivation,
    gradient_latex,
    hessian_derivation,
    hessian_latex,
    loss_derivation,
    loss_latex,
    loss_sum_expression,
    pair_limits,
)
from symbolic.pair import pair_derivatives

# --- numeric pair functions, compiled from symbolic.pair ----------------------------------

_EXPR = pair_derivatives("abs").expressions()
_F = {name: sp.lambdify((a, b, theta), e, "numpy") for name, e in _EXPR.items()}


def _frame(p, q):
    """Norms, angle in [0, pi] (half-angle formula, exact 0 when aligned), u_hat, e_hat."""
    na, nb = np.linalg.norm(p), np.linalg.norm(q)
    ph, qh = p / na, q / nb
    t = 2 * np.arctan2(np.linalg.norm(ph - qh), np.linalg.norm(ph + qh))
    s = np.sin(t)
    # e_hat carries only coefficients that vanish at t = 0, pi (see pair_limits)
    e = (qh - np.cos(t) * ph) / s if s > 1e-12 else np.zeros_like(p)
    return na, nb, t, ph, qh, e


def _kernel(p, q):
    na, nb, t, *_ = _frame(p, q)
    return _F["kernel"](na, nb, t)


def _grad1(p, q):
    """grad_p k(p, q) = g_u p_hat + g_v q_hat."""
    na, nb, t, ph, qh, _ = _frame(p, q)
    return _F["grad_u"](na, nb, t) * ph + _F["grad_v"](na, nb, t) * qh


def _block(prefix, p, q):
    na, nb, t, ph, _, e = _frame(p, q)
    basis = (np.eye(len(p)), np.outer(ph, ph), np.outer(ph, e), np.outer(e, ph), np.outer(e, e))
    return sum(float(_F[f"{prefix}_{n}"](na, nb, t)) * B
               for n, B in zip(("I", "uu", "ue", "eu", "ee"), basis))


def _vectors(W, T):
    vec = {u[j + 1]: np.linalg.norm(w) * w for j, w in enumerate(W)}
    vec.update({w_star[i + 1]: t for i, t in enumerate(T)})
    return vec


def _evaluate(expr, vec):
    """Evaluate a linear combination of ``k(x, y)`` numerically."""
    total = 0.0
    for term in sp.Add.make_args(expr):
        coeff, fn = term.as_coeff_Mul()
        assert fn.func is k
        total += float(coeff) * _kernel(vec[fn.args[0]], vec[fn.args[1]])
    return total


def _loss(W, T):
    return _evaluate(loss_expression(len(T), len(W)), _vectors(W, T))


def _gradient(W, T, with_projection=True):
    """grad_{w_j} L = |w_j| (I + wbar wbar^T) [sum_l grad1 k(u_j, u_l) - sum_i grad1 k(u_j, w*_i)]."""
    U = [np.linalg.norm(w) * w for w in W]
    out = []
    for w, uj in zip(W, U):
        g = sum(_grad1(uj, ul) for ul in U) - sum(_grad1(uj, t) for t in T)
        wb = w / np.linalg.norm(w)
        J = np.eye(len(w)) + (np.outer(wb, wb) if with_projection else 0)
        out.append(np.linalg.norm(w) * J @ g)
    return np.array(out)


def _hessian(W, T):
    """The assembly of hessian_derivation: blocks in u, then the chain rule to w."""
    m, d = W.shape
    U = [np.linalg.norm(w) * w for w in W]
    H = np.zeros((m * d, m * d))
    for j in range(m):
        wj = W[j] / np.linalg.norm(W[j])
        Jj = np.linalg.norm(W[j]) * (np.eye(d) + np.outer(wj, wj))
        g = sum(_grad1(U[j], ul) for ul in U) - sum(_grad1(U[j], t) for t in T)
        for l in range(m):
            wl = W[l] / np.linalg.norm(W[l])
            Jl = np.linalg.norm(W[l]) * (np.eye(d) + np.outer(wl, wl))
            if j == l:
                Huu = (sum(_block("huu", U[j], ul) for ul in U) + _block("huv", U[j], U[j])
                       - sum(_block("huu", U[j], t) for t in T))
                curvature = np.outer(g, wj) + np.outer(wj, g) + g @ wj * (np.eye(d) - np.outer(wj, wj))
            else:
                Huu, curvature = _block("huv", U[j], U[l]), 0
            H[j * d:(j + 1) * d, l * d:(l + 1) * d] = Jj @ Huu @ Jl + curvature
    return H


def _configuration(seed, r=2, m=3, d=3):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, d)) * 0.8, rng.standard_normal((r, d))


# --- the expression ------------------------------------------------------------------------

def test_loss_expression_structure():
    L = loss_expression(2, 3)
    assert L.coeff(k(u[1], u[2])) == 1 and L.coeff(k(u[1], u[1])) == sp.Rational(1, 2)
    assert L.coeff(k(u[3], w_star[2])) == -1 and L.coeff(k(w_star[1], w_star[2])) == 1
    assert len(sp.Add.make_args(L)) == 6 + 6 + 3  # pairs of students, mixed, teachers
    assert k(u[2], u[1]) == k(u[1], u[2])
    with pytest.raises(ValueError, match="r >= 1"):
        loss_expression(0, 2)


def test_sum_form_instantiates_to_the_expression():
    general = loss_sum_expression()
    syms = {s.name: s for s in general.free_symbols}
    assert sp.expand(general.subs({syms["m"]: 3, syms["r"]: 2}).doit() - loss_expression(2, 3)) == 0
    assert loss_derivation().result == general


def test_loss_expression_against_monte_carlo():
    W, T = _configuration(seed=1)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((400_000, 3))
    f = (np.linalg.norm(W, axis=1) * np.abs(x @ W.T)).sum(axis=1)
    f_star = np.abs(x @ T.T).sum(axis=1)
    samples = 0.5 * (f - f_star) ** 2
    se = samples.std(ddof=1) / np.sqrt(len(samples))
    assert abs(samples.mean() - _loss(W, T)) < 5 * se


def test_loss_vanishes_at_an_exact_match():
    W, T = _configuration(seed=4, r=2, m=2)
    W = T / np.sqrt(np.linalg.norm(T, axis=1))[:, None]  # |w| w = w*
    assert abs(_loss(W, T)) < 1e-12


# --- limits at theta = 0, pi ----------------------------------------------------------------

def test_pair_limits_are_finite_and_e_terms_vanish():
    limits = pair_limits("abs")
    assert set(limits) == set(_EXPR) - {"kernel"}
    for name, (at0, atpi) in limits.items():
        assert at0.is_finite and atpi.is_finite, name
        if name[-2:] in ("ue", "eu", "ee"):
            assert at0 == 0 and atpi == 0, name
    assert limits["grad_v"] == (b, -b)
    assert limits["huv_I"] == (1, -1)


# --- gradient and Hessian against finite differences --------------------------------------

def _finite_difference_gradient(W, T, h=1e-6):
    G = np.zeros_like(W)
    for idx in np.ndindex(*W.shape):
        E = np.zeros_like(W)
        E[idx] = h
        G[idx] = (_loss(W + E, T) - _loss(W - E, T)) / (2 * h)
    return G


@pytest.mark.parametrize("seed", [1, 5])
def test_gradient_formula_matches_finite_differences(seed):
    W, T = _configuration(seed)
    assert np.allclose(_gradient(W, T), _finite_difference_gradient(W, T), atol=1e-6)


def test_wrong_chain_rule_is_caught():
    W, T = _configuration(seed=1)
    wrong = _gradient(W, T, with_projection=False)  # |w| grad_u L, without wbar wbar^T
    assert not np.allclose(wrong, _finite_difference_gradient(W, T), atol=1e-4)


@pytest.mark.parametrize("seed", [3, 8])
def test_hessian_formula_matches_finite_differences(seed):
    W, T = _configuration(seed, r=1, m=2, d=3)
    h = 1e-6
    m, d = W.shape
    fd = np.zeros((m * d, m * d))
    for p in range(m * d):
        E = np.zeros(m * d)
        E[p] = h
        fd[:, p] = ((_gradient(W + E.reshape(m, d), T) - _gradient(W - E.reshape(m, d), T))
                    / (2 * h)).ravel()
    H = _hessian(W, T)
    assert np.allclose(H, H.T, atol=1e-10)
    assert np.allclose(H, fd, atol=1e-5)


# --- LaTeX and the derivation list ----------------------------------------------------------

def test_latex_fragments():
    assert loss_latex().startswith("L(W) = ") and "\\sum" in loss_latex()
    assert "\\paragraph{" in gradient_latex() and "\\bar{w}" in gradient_latex()
    assert "\\paragraph{" in hessian_latex() and "\\hat{e}" in hessian_latex()


def test_gradient_and_hessian_derivations_carry_the_pair_coefficients():
    pd = pair_derivatives("abs")
    assert gradient_derivation().result == sp.Tuple(pd.gradient_u_hat, pd.gradient_v_hat)
    assert hessian_derivation().result[1] == sp.Tuple(*pd.hessian_uv)


def test_derivations_in_reading_order():
    ds = derivations()
    names = [d.name for d in ds]
    assert all(isinstance(d, Derivation) for d in ds)
    assert len(names) == len(set(names))
    assert names[:2] == ["kernel.abs", "kernel.relu"]
    for required in ("loss.closed_form", "pair.abs", "pair.relu", "gradient.abs",
                     "hessian.abs", "claim2", "lemmaD2", "M.block", "relu.reduction",
                     "lemmaC11.hermite_4"):
        assert required in names
    assert names.index("hessian.abs") < names.index("claim2")
    assert all(d.latex().startswith("\\paragraph{") for d in ds)
