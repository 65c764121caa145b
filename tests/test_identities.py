"""Exact identities against independent numerics: mpmath at high precision and Monte Carlo."""
from __future__ import annotations

import json

import mpmath
import numpy as np
import pytest
import sympy as sp

from proofs_check.cli import main
from symbolic.derivation import require_equal, symbolically_equal
from symbolic.identities import (
    HERMITE_ORDERS,
    Identity,
    hermite_closed_form,
    identities,
    identity,
)
from symbolic.kernel import theta


def _abs_kernel(a, b, t):
    """The abs kernel written out in mpmath (paper-notes Sec. 1.1), not from SymPy."""
    return 2 / mpmath.pi * a * b * (mpmath.sin(t) + (mpmath.pi / 2 - t) * mpmath.cos(t))


def _claim2_loss(delta):
    """L(delta) for Claim 2, in mpmath: students u_j of norm 1/(2 cos delta) at +-delta."""
    n = 1 / (2 * mpmath.cos(delta))
    students = 2 * _abs_kernel(n, n, 0) + 2 * _abs_kernel(n, n, 2 * delta)
    cross = 2 * _abs_kernel(n, 1, delta)
    return (students - 2 * cross + _abs_kernel(1, 1, 0)) / 2


def _value(name):
    return sp.sympify(identity(name).value)


# --- registry -------------------------------------------------------------------------------

def test_registry_names_and_fields():
    names = [i.name for i in identities()]
    assert len(names) == len(set(names))
    for required in ("claim2.delta2_coefficient", "claim2.delta3_coefficient",
                     "exact_param.expansion", "lemmaD2", "M.block", "relu.reduction"):
        assert required in names
    assert {f"lemmaC11.hermite_{k}" for k in HERMITE_ORDERS} <= set(names)
    for i in identities():
        assert isinstance(i, Identity) and i.source and i.title and i.latex()
        assert i.derivation.steps
        if i.value is not None:
            assert symbolically_equal(i.expr, i.value)
    with pytest.raises(KeyError, match="claim2.delta3_coefficient"):
        identity("claim3")


# --- Claim 2 and the exact-parameterization comparison -----------------------------------

def test_claim2_coefficients_are_exact():
    assert identity("claim2.delta2_coefficient").value == 0
    assert symbolically_equal(identity("claim2.delta3_coefficient").value, 2 / (3 * sp.pi))


def test_claim2_delta3_coefficient_against_mpmath():
    with mpmath.workdps(80):
        delta = mpmath.mpf("1e-12")
        L = _claim2_loss(delta)
        assert abs(L / delta**2) < mpmath.mpf("1e-10")  # no delta^2 term
        c3 = mpmath.mpf(identity("claim2.delta3_coefficient").value_string(30))
        # L / delta^3 = c3 + O(delta)
        assert abs(L / delta**3 - c3) < mpmath.mpf("1e-10")


def test_claim2_check_rejects_a_wrong_coefficient():
    with mpmath.workdps(80):
        delta = mpmath.mpf("1e-12")
        ratio = _claim2_loss(delta) / delta**3
        wrong = 4 / (3 * mpmath.pi)  # twice the truth
        assert abs(ratio - wrong) > mpmath.mpf("1e-3")


def test_exact_parameterization_expansion_against_mpmath():
    series = identity("exact_param.expansion").expr
    delta = sp.Symbol("delta", positive=True)
    assert symbolically_equal(series, delta**2 / 2 - 2 * delta**3 / (3 * sp.pi))
    with mpmath.workdps(60):
        d = mpmath.mpf("1e-10")
        L = _abs_kernel(1, 1, 0) - 2 * _abs_kernel(1, 1, d) + _abs_kernel(1, 1, 0)
        L /= 2
        assert abs((L - d**2 / 2) / d**3 + 2 / (3 * mpmath.pi)) < mpmath.mpf("1e-8")


# --- Lemma D.2 ------------------------------------------------------------------------------

def _lemma_d2_numeric(phi):
    form = identity("lemmaD2").expr
    return float(form.subs(form.free_symbols.pop(), phi))


def _lemma_d2_quadrature(phi):
    """Cartesian quadrature, independent of the polar-coordinate derivation: by x -> -x the
    expectation is twice that over x1 > 0 > b.x, i.e. x2 < c = -x1 cot(phi); the x2 integral
    is a truncated Gaussian moment, the x1 integral is done by mpmath.quad."""
    with mpmath.workdps(30):
        cp, sp_ = mpmath.cos(phi), mpmath.sin(phi)
        g = lambda t: mpmath.npdf(t)  # noqa: E731
        G = lambda t: mpmath.ncdf(t)  # noqa: E731

        def inner(x1):  # int_{-oo}^{c} (cp x1 + sp x2)^2 g(x2) dx2
            c, alpha = -x1 * cp / sp_, cp * x1
            return alpha**2 * G(c) - 2 * alpha * sp_ * g(c) + sp_**2 * (G(c) - c * g(c))

        return 2 * mpmath.quad(lambda x1: g(x1) * inner(x1), [0, mpmath.inf])


@pytest.mark.parametrize("phi", [0.4, 1.3, 2.5])
def test_lemma_d2_against_quadrature(phi):
    assert abs(_lemma_d2_quadrature(phi) - _lemma_d2_numeric(phi)) < 1e-12


@pytest.mark.parametrize("phi", [0.4, 1.3, 2.5])
def test_lemma_d2_against_monte_carlo(phi):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((400_000, 2))
    bx = x @ np.array([np.cos(phi), np.sin(phi)])
    f = bx**2 * (np.sign(x[:, 0]) != np.sign(bx))
    se = f.std(ddof=1) / np.sqrt(len(f))
    assert abs(f.mean() - _lemma_d2_numeric(phi)) < 5 * se


def test_lemma_d2_leading_coefficient():
    assert symbolically_equal(identity("lemmaD2.leading_coefficient").value, 2 / (3 * sp.pi))
    with mpmath.workdps(50):
        phi = mpmath.mpf("1e-8")
        exact = (phi - mpmath.sin(phi) * mpmath.cos(phi)) / mpmath.pi
        c = mpmath.mpf(identity("lemmaD2.leading_coefficient").value_string(30))
        assert abs(exact / phi**3 - c) < mpmath.mpf("1e-14")


# --- Lemma C.11 -----------------------------------------------------------------------------

def _hermite_quadrature(order, dps=40):
    """E[|z| h_k(z)] by mpmath quadrature, He_k from its three-term recurrence."""
    with mpmath.workdps(dps):
        def he(z):
            prev, cur = mpmath.mpf(0), mpmath.mpf(1)
            for n in range(order):
                prev, cur = cur, z * cur - n * prev
            return cur

        f = lambda z: abs(z) * he(z) * mpmath.exp(-z**2 / 2) / mpmath.sqrt(2 * mpmath.pi)  # noqa: E731
        return mpmath.quad(f, [-mpmath.inf, 0, mpmath.inf]) / mpmath.sqrt(mpmath.factorial(order))


def _agrees_numerically(value_string, quadrature, dps=40):
    with mpmath.workdps(dps):
        return abs(mpmath.mpf(value_string) - quadrature) < mpmath.mpf(10) ** -28


@pytest.mark.parametrize("order", HERMITE_ORDERS)
def test_hermite_coefficient_against_quadrature(order):
    ident = identity(f"lemmaC11.hermite_{order}")
    assert symbolically_equal(ident.value, hermite_closed_form(order))
    assert _agrees_numerically(ident.value_string(30), _hermite_quadrature(order))


def test_perturbed_hermite_coefficient_is_rejected():
    true = identity("lemmaC11.hermite_6").value
    perturbed = true * (1 + sp.Rational(1, 10**20))
    assert not symbolically_equal(perturbed, hermite_closed_form(6))
    with pytest.raises(ArithmeticError):
        require_equal("planted", perturbed, hermite_closed_form(6))
    assert not _agrees_numerically(str(sp.N(perturbed, 35)), _hermite_quadrature(6))
    # and the paper's typo'd sign would be caught too
    assert not symbolically_equal(-true, hermite_closed_form(6))


def test_hermite_values_match_the_notes():
    notes = [0.797885, 0.564190, -0.162868, 0.0892062, -0.0596034, 0.0439793]
    got = [float(identity(f"lemmaC11.hermite_{k}").value) for k in range(0, 11, 2)]
    assert np.allclose(got, notes, rtol=1e-5)


# --- the blocks of M ------------------------------------------------------------------------

def _m_block_matrix(t):
    """The identity's block, evaluated at angle ``t`` with a = e1, e = e2 in R^3."""
    form = identity("M.block").expr
    syms = {s.name: s for s in form.atoms(sp.MatrixSymbol)}
    numeric = form.subs({syms["a"]: sp.ImmutableMatrix([1, 0, 0]),
                         syms["e"]: sp.ImmutableMatrix([0, 1, 0])}).doit()
    return np.array(sp.ImmutableMatrix(numeric).subs(theta, t).evalf(), dtype=float)


@pytest.mark.parametrize("t", [0.5, 1.7, 2.8])
def test_m_block_against_monte_carlo(t):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((400_000, 3))
    s = np.sign(x[:, 0]) * np.sign(x @ np.array([np.cos(t), np.sin(t), 0.0]))
    samples = x[:, :, None] * x[:, None, :] * s[:, None, None]
    mean = samples.mean(axis=0)
    se = samples.std(axis=0, ddof=1) / np.sqrt(len(x))
    assert np.all(np.abs(mean - _m_block_matrix(t)) < 5 * se + 1e-12)


def test_m_block_diagonal_is_identity():
    assert np.allclose(_m_block_matrix(0.0), np.eye(3))
    assert np.allclose(_m_block_matrix(np.pi), -np.eye(3))


# --- ReLU reduction -------------------------------------------------------------------------

def test_relu_reduction_value_and_first_moment():
    assert identity("relu.reduction").value == sp.Rational(1, 4)
    rng = np.random.default_rng(9)
    x = rng.standard_normal((400_000, 3))
    w = np.array([0.6, -1.1, 0.3])
    samples = x * np.maximum(x @ w, 0.0)[:, None]
    se = samples.std(axis=0, ddof=1) / np.sqrt(len(x))
    assert np.all(np.abs(samples.mean(axis=0) - w / 2) < 5 * se)


# --- the command line -----------------------------------------------------------------------

def test_cli_identities_json(capsys):
    assert main(["identities", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    entries = {e["name"]: e for e in payload["identities"]}
    c3 = entries["claim2.delta3_coefficient"]
    assert set(c3) >= {"name", "sympy", "latex", "value", "source"}
    assert c3["sympy"] == "2/(3*pi)"
    digits = c3["value"].lstrip("-0.")
    assert len(digits) == 30 and c3["value"].startswith("0.2122065907891937810")
    assert entries["lemmaD2"]["value"] is None


def test_cli_identities_text(capsys):
    assert main(["identities"]) == 0
    out = capsys.readouterr().out
    assert "claim2.delta3_coefficient" in out and "0.212206590789193781025178351163" in out
