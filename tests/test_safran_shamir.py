"""Safran and Shamir's model: loss against Monte Carlo, derivatives against finite
differences, ball enclosures (at points and over boxes), and the exact escape identity."""
from __future__ import annotations

import math

import flint
import numpy as np
import pytest
from flint import arb
from hypothesis import given, settings
from hypothesis import strategies as st

from numeric.safran_shamir import SafranShamirModel, escape_coefficient, escape_direction64


def _point(seed, n, k):
    rng = np.random.default_rng(seed)
    return SafranShamirModel.orthonormal(n, k), rng.standard_normal(n * k) / np.sqrt(n)


def test_loss_matches_monte_carlo():
    model, x = _point(0, 3, 4)
    X = np.random.default_rng(1).standard_normal((1_000_000, 3))
    r = np.maximum(X @ model.rows(x).T, 0).sum(1) - np.maximum(X, 0).sum(1)
    samples = 0.5 * r ** 2
    L, _ = model.loss_gradient64(x)
    assert abs(samples.mean() - L) < 5 * samples.std() / np.sqrt(len(samples))


def test_global_minimum_and_a_wrong_teacher():
    model = SafranShamirModel.orthonormal(3, 3)
    L, g = model.loss_gradient64(np.eye(3).reshape(-1))
    assert abs(L) < 1e-15 and np.abs(g).max() < 1e-15
    L2, _ = model.loss_gradient64((np.eye(3) * 1.001).reshape(-1))
    assert L2 > 1e-8  # a 0.1% error in one scale is seen


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.integers(2, 4), st.integers(1, 5))
def test_gradient_and_hessian_against_central_differences(seed, n, k):
    model, x = _point(seed, n, k)
    L, g = model.loss_gradient64(x)
    H = model.hessian64(x)
    h = 1e-6
    E = np.eye(len(x))
    fd_g = np.array([(model.loss_gradient64(x + h * e)[0] - model.loss_gradient64(x - h * e)[0]) / (2 * h) for e in E])
    fd_H = np.array([(model.loss_gradient64(x + h * e)[1] - model.loss_gradient64(x - h * e)[1]) / (2 * h) for e in E])
    assert np.allclose(g, fd_g, atol=1e-7)
    assert np.allclose(H, fd_H, atol=1e-6) and np.allclose(H, H.T, atol=1e-13)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**6), st.integers(2, 4), st.integers(1, 4))
def test_balls_enclose_float64_and_boxes_enclose_their_points(seed, n, k):
    model, x = _point(seed, n, k)
    L, g = model.loss_gradient64(x)
    H = model.hessian64(x)
    with flint.ctx.workdps(30):
        xb = [arb(float(v)) for v in x]
        assert abs(float(model.ball_loss(xb).mid()) - L) < 1e-13
        G, Hb = model.ball_gradient_hessian(xb)
        assert max(abs(float(G[i].mid()) - g[i]) for i in range(len(x))) < 1e-13
        assert max(abs(float(Hb[i][j].mid()) - H[i, j]) for i in range(len(x)) for j in range(len(x))) < 1e-11
        assert all(a.overlaps(b) for a, b in zip(model.ball_gradient(xb), G))
        # Over a box of radius 1e-3: the Hessian at a point inside lies in the enclosure.
        box = [arb(float(v), 1e-3) for v in x]
        _, Hbox = model.ball_gradient_hessian(box)
        inside = x + 1e-3 * np.random.default_rng(seed).uniform(-1, 1, len(x))
        H_in = model.hessian64(inside)
        for i in range(len(x)):
            for j in range(len(x)):
                lo = float(Hbox[i][j].mid()) - float(Hbox[i][j].rad()) - 1e-12
                hi = float(Hbox[i][j].mid()) + float(Hbox[i][j].rad()) + 1e-12
                assert lo <= H_in[i, j] <= hi


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10**6), st.integers(2, 4), st.integers(1, 4),
       st.floats(1e-3, 1.0))
def test_escape_coefficient_is_the_exact_first_order_change(seed, n, k, t):
    """L(W, t w_hat) = L(W) + t g(w_hat) + t^2 / 4 exactly (k(w, w) = |w|^2 / 2)."""
    model, x = _point(seed, n, k)
    w = np.random.default_rng(seed + 1).standard_normal(n)
    w /= np.linalg.norm(w)
    bigger = SafranShamirModel(model.teacher, k + 1)
    L0, _ = model.loss_gradient64(x)
    L1, _ = bigger.loss_gradient64(np.concatenate([x, t * w]))
    with flint.ctx.workdps(30):
        g = escape_coefficient(model, list(x), list(w))
    assert L1 == pytest.approx(L0 + t * float(g.mid()) + t * t / 4, abs=1e-12)


def test_escape_direction_finds_a_negative_g_where_a_teacher_is_missing():
    """With one teacher direction uncovered, adding a neuron along it lowers the loss."""
    model = SafranShamirModel.orthonormal(3, 2)
    x = np.array([[1.0, 0, 0], [0, 1.0, 0]]).reshape(-1)
    w, g64 = escape_direction64(model, x, np.random.default_rng(0))
    with flint.ctx.workdps(30):
        g = escape_coefficient(model, list(x), list(w))
    assert g < 0 and abs(float(g.mid()) - g64) < 1e-12
    assert abs(abs(w[2]) - 1) < 1e-3  # the missing teacher e_3


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**6), st.integers(2, 5), st.integers(1, 5))
def test_symmetry_key_is_invariant_under_students_and_coordinates_permutations(seed, n, k):
    """The loss is invariant under relabelling students and, for the teacher I_n, permuting
    coordinates; the hunt's key must be too, and must tell a moved point apart."""
    from proofs_check.models.relu_unit_output.hunt import symmetry_key

    model, x = _point(seed, n, k)
    rng = np.random.default_rng(seed + 7)
    W = model.rows(x)
    image = W[rng.permutation(k)][:, rng.permutation(n)].reshape(-1)
    assert model.loss_gradient64(image)[0] == pytest.approx(model.loss_gradient64(x)[0], abs=1e-13)
    key, orbit = symmetry_key(model, x)
    assert orbit is None
    # The entries are permuted exactly; the float64 loss may differ in its last bits, which
    # splits the key only for a loss on a rounding boundary of its 9 decimals.
    loss = model.loss_gradient64(x)[0] * 1e9
    assert symmetry_key(model, image)[0] == key or abs(abs(loss - math.floor(loss)) - 0.5) < 1e-4
    moved = x.copy()
    moved[0] += 1e-3
    assert symmetry_key(model, moved)[0] != key


def test_structured_start_reaches_a_spurious_minimum_for_k_equal_n():
    """The hunt's structured start descends to a point with L > 0 and a positive definite
    float64 Hessian for n = 6 (the certificate itself is tested with the claim)."""
    from numeric.stationary import descend
    from proofs_check.models.relu_unit_output.hunt import GD_STEPS, structured_start

    model = SafranShamirModel.orthonormal(6, 6)
    found = descend(model, structured_start(model), gd_steps=GD_STEPS)
    assert found.converged and found.loss > 0.02
    assert np.linalg.eigvalsh(model.hessian64(found.x))[0] > 1e-3
