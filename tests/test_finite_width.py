"""The finite-sample model: data sets, H_inf from the Gaussian integral, the network's
Jacobian, tangent kernel and GD, and the certified smallest eigenvalue."""
from __future__ import annotations

from fractions import Fraction

import flint
import numpy as np
import pytest
from flint import arb
from hypothesis import given, settings
from hypothesis import strategies as st

from numeric.errors import ConfigurationError
from numeric.dataset import DataSet
from proofs_check.files import load_dataset
from numeric.finite_width import (Network, gradient_descent, gram_limit, gram_limit_balls,
                                  initial_network, jacobian, jacobian_balls, outputs,
                                  tangent_kernel, unit_points, unit_points_balls)
from numeric.spectrum import certainly_positive_definite, min_eigenvalue_enclosure
from symbolic.gram import gram_closed_form, gram_derivation
from symbolic.kernel import theta

entries = st.integers(-12, 12).map(lambda k: Fraction(k, 4))


@st.composite
def datasets(draw, n=st.integers(2, 5), d=st.integers(2, 4)):
    """Data sets on a small rational grid (exactly parallel points are common)."""
    n, d = draw(n), draw(d)
    row = st.lists(entries, min_size=d, max_size=d).filter(any)
    return DataSet(draw(st.lists(row, min_size=n, max_size=n)),
                   draw(st.lists(entries, min_size=n, max_size=n)))


def _random_dataset(seed, n, d):
    rng = np.random.default_rng(seed)
    return DataSet(rng.standard_normal((n, d)).tolist(), rng.standard_normal(n).tolist())


# -- the data set type -----------------------------------------------------------------------

@pytest.mark.parametrize("data, message", [
    ({"points": [[1, 0]], "labels": [1, 2]}, "labels has 2 entries, but points has n = 1"),
    ({"points": [[1, 0], [1]], "labels": [1, 2]}, "points row 1 has 1 entries"),
    ({"points": [[1, 0]], "labels": ["nan"]}, r"labels\[0\]"),
    ({"points": [[1, 0]]}, "missing key 'labels'"),
    ({"points": [[1, 0]], "labels": [1], "w": 1}, r"unknown key\(s\) \['w'\]"),
    ({"points": [], "labels": []}, "points must be a non-empty list"),
])
def test_bad_data_sets_name_the_field(data, message):
    with pytest.raises(ConfigurationError, match=message):
        DataSet.from_dict(data)


def test_data_set_round_trips_exactly(tmp_path):
    data = DataSet.from_json('{"points": [[0.1, 3], ["1e-30", 1]], "labels": ["0.3", 7]}')
    assert data.points[0][0] == Fraction(1, 10) and data.points[1][0] == Fraction(1, 10**30)
    path = tmp_path / "data.json"
    path.write_text(data.to_json())
    assert load_dataset(path) == data


# -- H_inf -------------------------------------------------------------------------------------

def test_gram_is_derived_and_matches_the_known_closed_form():
    d = gram_derivation()
    assert d.result == gram_closed_form()
    # cos(t) (pi - t) / (2 pi): at t = 0 it is 1/2, at t = pi/2 it is 0, at t = pi it is 0.
    assert gram_closed_form().subs(theta, 0) == Fraction(1, 2)
    assert gram_closed_form().subs(theta, np.pi / 2).evalf() == pytest.approx(0, abs=1e-15)


def test_gram_matches_monte_carlo():
    """H_inf = E_w[x_i.x_j 1{w.x_i >= 0} 1{w.x_j >= 0}] by sampling w (5 sigma)."""
    data = _random_dataset(1, 5, 3)
    X = unit_points(data)
    w = np.random.default_rng(2).standard_normal((400_000, 3))
    on = (X @ w.T >= 0).astype(float)
    mc = (X @ X.T) * (on @ on.T) / w.shape[0]
    assert np.abs(mc - gram_limit(data)).max() < 5 * 0.5 / np.sqrt(w.shape[0])


def test_finite_width_kernel_tends_to_gram():
    data = _random_dataset(3, 4, 3)
    X = unit_points(data)
    gaps = [np.abs(tangent_kernel(initial_network(np.random.default_rng(4), m, 3), X)
                   - gram_limit(data)).max() for m in (100, 10_000, 1_000_000)]
    assert gaps[2] < gaps[0] / 10 and gaps[2] < 3e-3


@settings(max_examples=40, deadline=None)
@given(datasets())
def test_gram_balls_enclose_float64_and_are_psd(data):
    X = np.array([[float(x) for x in r] for r in data.points])
    parallel = any(abs(abs(X[i] @ X[j]) - np.linalg.norm(X[i]) * np.linalg.norm(X[j])) < 1e-12
                   for i in range(data.n) for j in range(i))
    H = gram_limit(data)
    assert np.linalg.eigvalsh(H)[0] > -1e-12
    with flint.ctx.workdps(30):
        if parallel:
            with pytest.raises(ValueError, match="parallel"):
                gram_limit_balls(data)
            return
        Hb = gram_limit_balls(data)
        for i in range(data.n):
            for j in range(data.n):
                assert abs(float(Hb[i][j].mid()) - H[i, j]) < 1e-13


# -- network, Jacobian, GD ---------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 6), st.integers(2, 5), st.integers(1, 12))
def test_jacobian_gives_the_tangent_kernel_and_the_gradient(seed, n, d, m):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    net = initial_network(rng, m, d)
    J = jacobian(net, X)
    assert np.allclose(J @ J.T, tangent_kernel(net, X), atol=1e-12)
    # Central differences of F along a random direction (away from kinks a.s.).
    V = rng.standard_normal(net.W.shape)
    h = 1e-7
    diff = (outputs(Network(net.W + h * V, net.a), X) - outputs(Network(net.W - h * V, net.a), X)) / (2 * h)
    assert np.allclose(diff, J @ V.ravel(), atol=1e-6)


def test_gd_step_is_the_jacobian_step():
    data = _random_dataset(5, 4, 3)
    X, y = unit_points(data), np.array([float(v) for v in data.labels])
    net = initial_network(np.random.default_rng(6), 50, 3)
    trace = gradient_descent(net, X, y, 0.1, 1)
    J = jacobian(net, X)
    expected = net.W.ravel() - 0.1 * J.T @ (outputs(net, X) - y)
    assert np.allclose(trace.final.W.ravel(), expected, atol=1e-14)
    assert trace.residual_sq[1] < trace.residual_sq[0]


def test_jacobian_balls_enclose_float64_and_refuse_undecided_gates():
    data = _random_dataset(7, 3, 3)
    net = initial_network(np.random.default_rng(8), 4, 3)
    W = [[Fraction(float(x)) for x in row] for row in net.W]
    with flint.ctx.workdps(30):
        Jb = jacobian_balls(W, list(net.a), unit_points_balls(data))
    J = jacobian(net, unit_points(data))
    assert max(abs(float(Jb[i][k].mid()) - J[i, k]) for i in range(3) for k in range(12)) < 1e-14
    on_kink = [[Fraction(0)] * 3] + W[1:]
    with flint.ctx.workdps(30), pytest.raises(ValueError, match="not separated from 0"):
        jacobian_balls(on_kink, list(net.a), unit_points_balls(data))


# -- certified smallest eigenvalue ---------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 6))
def test_min_eigenvalue_enclosure_contains_the_eigenvalue(seed, n):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((n, n))
    A = M @ M.T + 1e-3 * np.eye(n)
    exact = [[Fraction(float(x)) for x in row] for row in A]
    with flint.ctx.workdps(40):
        lam = min_eigenvalue_enclosure([[arb(flint.fmpq(x.numerator, x.denominator)) for x in r]
                                        for r in exact])
    import mpmath
    with mpmath.workdps(60):
        ref = min(mpmath.eigsy(mpmath.matrix([[mpmath.mpf(x.numerator) / x.denominator for x in r]
                                              for r in exact]), eigvals_only=True))
    with flint.ctx.workdps(60):
        assert lam.contains(arb(arb(mpmath.nstr(ref, 55)).mid()))
    assert float(lam.rad()) < 1e-20 * max(1.0, float(abs(lam.mid())))


def test_positive_definiteness_fails_just_below_the_boundary():
    with flint.ctx.workdps(40):
        eps = arb(10) ** -30
        assert certainly_positive_definite([[arb(1), arb(0)], [arb(0), eps]])
        assert not certainly_positive_definite([[arb(1), arb(0)], [arb(0), -eps]])
        assert not certainly_positive_definite([[arb(1), arb(1)], [arb(1), arb(1) - eps]])
