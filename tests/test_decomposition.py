"""numeric.decomposition: partition, average neurons, M, R_1, R_2, against independent computations."""
from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from flint import arb

from numeric.config import Configuration
from numeric.decomposition import (decompose, descent_inner_product, lambda_min_M, matrix_M, r1_at,
                                   r1_norm_squared, r1_r2_inner, r2_at, r2_norm_squared,
                                   radius_for_half_mass, residual_identity_defect,
                                   residual_norm_squared, sign_block, weighted_angle_sum)
from numeric.hermite_test import hermite_coefficient_abs, hermite_test_degree, hermite_test_norm
from numeric.fields import MPMATH
from numeric.float64 import loss_and_gradient


def _config(seed, r=2, m=4, d=3, scale=0.7):
    rng = np.random.default_rng(seed)
    return Configuration(rng.normal(size=(r, d)).tolist(), (rng.normal(size=(m, d)) * scale).tolist())


def _numpy_parts(config, dec):
    T = np.array([[float(x) for x in row] for row in config.teacher])
    U = np.array([[float(x.mid()) for x in row] for row in dec.effective])
    a = np.array(dec.assignment)
    V = np.array([[float(x.mid()) for x in row] for row in dec.v])
    return T, U, a, V


def _residuals(config, dec, X):
    """Monte Carlo R, R_1, R_2 at the rows of X, straight from the definitions."""
    T, U, a, V = _numpy_parts(config, dec)
    W = np.array([[float(x) for x in row] for row in config.student])
    f = (np.linalg.norm(W, axis=1) * np.abs(X @ W.T)).sum(1)
    fs = np.abs(X @ T.T).sum(1)
    R1 = ((X @ V.T) * np.sign(X @ T.T)).sum(1)
    UX = X @ U.T
    R2 = (UX * (np.sign(UX) - np.sign(X @ T[a].T))).sum(1)
    return f - fs, R1, R2


@pytest.mark.parametrize("backend", ["arb", "mpmath"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_residual_norm_identity(seed, backend):
    """||R_1||^2 + 2<R_1,R_2> + ||R_2||^2 = ||R||^2 = 2L, all exact."""
    dec = decompose(_config(seed, r=2 + seed % 2, m=3 + seed), 40, backend)
    defect = residual_identity_defect(dec)
    if backend == "arb":
        assert defect.contains(0) and defect.rad() < 1e-30
    else:
        assert abs(defect) < 1e-30


def test_sign_block_monte_carlo():
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=3), rng.normal(size=3)
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    with MPMATH.workdps(20):
        B = np.array([[float(x) for x in row] for row in
                      sign_block(MPMATH, [mpmath.mpf(x) for x in a], [mpmath.mpf(x) for x in b])])
    X = rng.standard_normal((400_000, 3))
    s = np.sign(X @ a) * np.sign(X @ b)
    samples = X[:, :, None] * X[:, None, :] * s[:, None, None]
    mc, se = samples.mean(0), samples.std(0) / math.sqrt(len(X))
    assert np.all(np.abs(mc - B) < 5 * se + 1e-4)
    # and the paper notes' form with 1/sin(theta)
    t = math.acos(a @ b)
    notes = (1 - 2 * t / math.pi) * np.eye(3) + 2 / (math.pi * math.sin(t)) * (
        np.outer(a, b) + np.outer(b, a) - math.cos(t) * (np.outer(a, a) + np.outer(b, b)))
    assert np.allclose(B, notes, atol=1e-12)


def test_r1_r2_norms_monte_carlo():
    config = _config(7, r=2, m=4, d=3, scale=0.6)
    dec = decompose(config, 30)
    X = np.random.default_rng(8).standard_normal((400_000, 3))
    R, R1, R2 = _residuals(config, dec, X)
    n = math.sqrt(len(X))
    for exact, sample in ((r1_norm_squared(dec), R1 * R1), (r2_norm_squared(dec), R2 * R2),
                          (r1_r2_inner(dec), R1 * R2), (residual_norm_squared(dec), R * R)):
        assert abs(float(exact.mid()) - sample.mean()) < 5 * sample.std() / n
    assert np.allclose(R, R1 + R2, atol=1e-9)


def test_pointwise_residuals_match_definitions():
    config = _config(3, r=3, m=5, d=4)
    dec = decompose(config, 30)
    X = np.random.default_rng(4).standard_normal((20, 4))
    R, R1, R2 = _residuals(config, dec, X)
    for k, x in enumerate(X.tolist()):
        assert abs(float(r1_at(dec, x).mid()) - R1[k]) < 1e-9
        b = r2_at(dec, x)
        assert abs(float(b.mid()) - R2[k]) < 1e-9 and b >= 0


def test_r2_enclosure_on_hyperplane_is_nonnegative():
    """x on a teacher's hyperplane: the ball of w*.x contains 0, R_2's enclosure stays >= 0."""
    config = Configuration([[1, 2, 0]], [["0.9", "2.1", "0.1"], ["0.1", 0, 1]])
    dec = decompose(config, 30)
    b = r2_at(dec, [2, -1, "0.5"])
    assert b >= 0


def test_partition_signs_and_average_neuron():
    config = Configuration([[1, 0], [0, 2]], [["-0.9", "0.1"], [0, 1], ["0.5", "0.5"]])
    dec = decompose(config, 30)
    assert dec.assignment == (0, 1, 0)  # the third student is at 45 degrees: tie -> teacher 0
    assert dec.signs == (-1, 1, 1)
    # hat w_0 = sum s_j ||w_j|| w_j over T_0
    w0, w2 = np.array([-0.9, 0.1]), np.array([0.5, 0.5])
    expect = -np.linalg.norm(w0) * w0 + np.linalg.norm(w2) * w2
    assert np.allclose([float(x.mid()) for x in dec.hat_w[0]], expect)
    assert np.allclose([float(x.mid()) for x in dec.v[1]], [0, 1 - 2])
    assert abs(float(dec.delta[0].mid()) - math.atan2(0.1, 0.9)) < 1e-15


def test_matrix_M_blocks_and_quadratic_form():
    config = _config(11, r=3, m=3, d=3)
    dec = decompose(config, 30)
    M = matrix_M(dec)
    d = 3
    for i in range(3):
        for p in range(d):
            for q in range(d):
                assert (M[i * d + p][i * d + q] - (1 if p == q else 0)).contains(0)
    v = [x for row in dec.v for x in row]
    quad = sum((v[a] * M[a][b] * v[b] for a in range(9) for b in range(9)), arb(0))
    assert (quad - r1_norm_squared(dec)).contains(0)


def test_lambda_min_two_teachers_closed_form():
    """Two teachers at angle t: lambda_min(M) = (2/pi)(t - sin t) (2x2 computation in the plane)."""
    for t in (0.7, 0.05):
        lam = lambda_min_M([[1, 0], [math.cos(t), math.sin(t)]], 30)
        with mpmath.workdps(30):
            c, s = mpmath.mpf(math.cos(t)), mpmath.mpf(math.sin(t))
            th = mpmath.atan2(s, c)
            exact = 2 / mpmath.pi * (th - mpmath.sin(th))
        import flint

        with flint.ctx.workdps(30):
            assert lam.rad() < 1e-25
            assert abs(lam - arb(mpmath.nstr(exact, 30))) < 1e-25


def test_descent_inner_product_against_float64():
    config = _config(13, r=2, m=4, d=3)
    dec = decompose(config, 30)
    value, empty = descent_inner_product(dec, 10.0, "delta_max")  # delta_max large: S_i = T_i
    T, U, a, V = _numpy_parts(config, dec)
    W = np.array([[float(x) for x in row] for row in config.student])
    _, G = loss_and_gradient(T, W)
    total = 0.0
    for i in range(2):
        members = [j for j in range(4) if a[j] == i]
        denom = sum(np.linalg.norm(W[j]) ** 2 for j in members)
        for j in members:
            q = np.linalg.norm(W[j]) / denom
            s = np.sign(W[j] @ T[i])
            z = W[j] - q * s * T[i]
            wb = W[j] / np.linalg.norm(W[j])
            pre = np.linalg.solve(np.eye(3) + np.outer(wb, wb), z)
            total += G[j] @ pre
    assert abs(float(value.mid()) - total) < 1e-9 and not empty


def test_half_mass_radius_and_weighted_angles():
    config = Configuration([[1, 0]], [["0.6", "0.1"], ["0.6", "-0.3"], ["0.3", 0]])
    dec = decompose(config, 30)
    masses = sorted((math.atan2(abs(w[1]), w[0]), w[0] ** 2 + w[1] ** 2)
                    for w in ((0.6, 0.1), (0.6, -0.3), (0.3, 0.0)))
    acc, need = 0.0, None
    for ang, m in masses:
        acc += m
        if acc >= 0.5:
            need = ang
            break
    assert abs(float(radius_for_half_mass(dec).mid()) - need) < 1e-14
    assert abs(float(weighted_angle_sum(dec).mid()) - sum(m * a * a for a, m in masses)) < 1e-14


def test_hermite_test_function_norm_monte_carlo():
    """||h||^2 = pi/2 + sigma^-2 sum <a_k, a_j>^l against sampling h itself (l = 4)."""
    from numpy.polynomial.hermite_e import hermeval

    eps, Delta = 0.95, 0.5
    assert hermite_test_degree(eps, Delta) == 4
    T = [[1.0, 0.0], [math.cos(1.0), math.sin(1.0)]]
    h_norm, l = hermite_test_norm(T, eps, Delta)
    sigma = float(hermite_coefficient_abs(4))
    X = np.random.default_rng(2).standard_normal((400_000, 2))
    coeff = np.zeros(5)
    coeff[4] = 1 / math.sqrt(24)  # h_4 = He_4 / sqrt(4!)
    h = math.sqrt(math.pi / 2) - sum(hermeval(X @ np.array(t), coeff) for t in T) / sigma
    sq = h * h
    assert abs(sq.mean() - float(h_norm) ** 2) < 5 * sq.std() / math.sqrt(len(X))


def test_hermite_coefficients_quadrature():
    """hat sigma_l = E[|z| h_l(z)] by mpmath quadrature."""
    for l in (4, 6, 12):
        with mpmath.workdps(30):
            def integrand(z):
                return abs(z) * mpmath.hermite(l, z / mpmath.sqrt(2)) * 2 ** (-mpmath.mpf(l) / 2) \
                    / mpmath.sqrt(mpmath.factorial(l)) * mpmath.npdf(z)
            q = 2 * mpmath.quad(integrand, [0, 5, 10, mpmath.inf])
            assert abs(q - hermite_coefficient_abs(l)) < 1e-20
