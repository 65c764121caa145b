"""The closed forms against Monte Carlo, and the high-precision loss against an independent
implementation.

Monte Carlo: x ~ N(0, I_d) with a fixed seed and 10^6 samples; an estimate passes when it is
within 5 standard errors (sample standard deviation / sqrt(N)) of the closed form.  The
closed forms are exact, so the only slack is sampling error.
"""
from __future__ import annotations

import functools
import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from numeric import pair_kernels, float64
from numeric.fields import MPMATH
from numeric.precise import evaluate

SAMPLES = 10**6
STANDARD_ERRORS = 5


@functools.lru_cache(maxsize=1)
def _all_samples() -> np.ndarray:
    return np.random.default_rng(20210721).standard_normal((5, SAMPLES))


def _samples(d: int) -> np.ndarray:
    """``(d, N)``: the first d coordinates of one fixed sample of N(0, I_5), one sample per
    column (this layout keeps every product a long dot product, which BLAS does fast)."""
    return _all_samples()[:d]


def _sigma(activation, z):
    return np.abs(z) if activation == "abs" else np.maximum(z, 0.0)


def _sigma_prime(activation, z):
    return np.sign(z) if activation == "abs" else (z > 0).astype(float)


def _assert_mc(samples: np.ndarray, closed_form, what: str):
    """Compare the mean of the scalar ``samples`` (shape (N,)) with ``closed_form``."""
    mean = samples.mean()
    se = samples.std(ddof=1) / math.sqrt(len(samples))
    _assert_within(mean, se, closed_form, what)


def _weighted_moments(c: np.ndarray, X: np.ndarray):
    """Mean and standard error of the vector samples ``c_n x_n`` (X is (d, N))."""
    N = len(c)
    mean = X @ c / N
    second = (X * X) @ (c * c) / N
    return mean, np.sqrt(np.maximum(second - mean**2, 0.0) / (N - 1))


def _assert_within(mean, se, closed_form, what: str):
    closed_form = np.asarray(closed_form, dtype=float)
    # A component that is exactly 0 in every sample (e.g. d = 1 symmetry) has se = 0.
    bound = STANDARD_ERRORS * se + 1e-12
    assert np.all(np.abs(mean - closed_form) <= bound), (
        f"{what}: Monte Carlo {mean} +/- {se} vs closed form {closed_form}"
    )


# -- the pair kernel -------------------------------------------------------------------------

def _pair(kind: str, d: int, rng):
    u = rng.normal(size=d)
    if kind == "random":
        v = rng.normal(size=d)
    elif kind == "aligned":
        v = 1.7 * u
    elif kind == "antipodal":
        v = -0.6 * u
    elif kind == "orthogonal":
        v = rng.normal(size=d)
        v -= (v @ u) / (u @ u) * u
    return u, v


def _angle(u, v) -> float:
    uh, vh = u / np.linalg.norm(u), v / np.linalg.norm(v)
    return 2.0 * math.atan2(np.linalg.norm(uh - vh), np.linalg.norm(uh + vh))


def _pair_closed_form(activation, u, v):
    """k(u, v) and grad_u k from the generated pair code, on the mpmath backend."""
    a, b, t = np.linalg.norm(u), np.linalg.norm(v), _angle(u, v)
    with MPMATH.workdps(30):
        k, g_u, g_v = getattr(pair_kernels, f"{activation}_value_gradient")(
            mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(t), +mpmath.pi, MPMATH
        )
    grad = float(g_u) * u / a + float(g_v) * v / b
    return float(k), grad


KINDS = ("random", "aligned", "antipodal", "orthogonal")


@pytest.mark.parametrize("activation", ["abs", "relu"])
@pytest.mark.parametrize("d", range(1, 6))
def test_pair_kernel_and_its_gradient_match_monte_carlo(activation, d):
    rng = np.random.default_rng(100 + d)
    X = _samples(d)
    for kind in KINDS[2:] if d == 1 else KINDS:  # in d = 1 every pair is aligned or antipodal
        u, v = _pair(kind, d, rng)
        zu, zv = u @ X, v @ X
        k, grad = _pair_closed_form(activation, u, v)
        _assert_mc(_sigma(activation, zu) * _sigma(activation, zv), k, f"k({kind}, d={d})")
        # grad_u E[sigma(u.x) sigma(v.x)] = E[sigma'(u.x) sigma(v.x) x]
        c = _sigma_prime(activation, zu) * _sigma(activation, zv)
        mean, se = _weighted_moments(c, X)
        _assert_within(mean, se, grad, f"grad_u k({kind}, d={d})")


def test_kernel_special_values():
    """theta = 0 gives a b (abs) and a b / 2 (relu); theta = pi/2 gives 2ab/pi and ab/(2 pi)."""
    with MPMATH.workdps(40):
        pi = +mpmath.pi
        a, b = mpmath.mpf(3), mpmath.mpf("0.5")
        for activation, at_0, at_right in (("abs", a * b, 2 * a * b / pi), ("relu", a * b / 2, a * b / (2 * pi))):
            f = getattr(pair_kernels, f"{activation}_value_gradient")
            assert abs(f(a, b, mpmath.mpf(0), pi, MPMATH)[0] - at_0) < mpmath.mpf(10) ** -38
            assert abs(f(a, b, pi / 2, pi, MPMATH)[0] - at_right) < mpmath.mpf(10) ** -38


# -- the loss and its gradient ------------------------------------------------------------------

def _residual(config, X):
    """R(x) per sample and d R / d w_j (for the gradient) straight from the definitions."""
    T, S, activation = float64.as_arrays(config)
    w_norm = np.linalg.norm(S, axis=1)
    U = w_norm[:, None] * S  # u_j = ||w_j|| w_j
    R = _sigma(activation, U @ X).sum(axis=0) - _sigma(activation, T @ X).sum(axis=0)
    if activation == "relu":
        # App. A: the best linear term is beta.x = -E[x F(x)].x = -1/2 (sum u_j - sum w*_i).x
        R -= (0.5 * (U.sum(axis=0) - T.sum(axis=0))) @ X
    return R, S, w_norm, activation


LOSS_CASES = [(d, r, m) for d, (r, m) in zip(range(1, 6), [(1, 2), (2, 3), (3, 3), (2, 4), (3, 5)])]


@pytest.mark.parametrize("activation", ["abs", "relu"])
@pytest.mark.parametrize("d, r, m", LOSS_CASES)
def test_loss_and_gradient_match_monte_carlo(random_configuration, activation, d, r, m):
    config = random_configuration(seed=10 + d, r=r, m=m, d=d, activation=activation)
    X = _samples(d)
    N = X.shape[1]
    R, S, w_norm, _ = _residual(config, X)
    e = evaluate(config, 30, backend="arb")
    _assert_mc(R**2 / 2, float(e.loss.mid()), f"L ({activation}, d={d})")
    T64, S64, _ = float64.as_arrays(config)
    _assert_mc(R**2 / 2, float64.loss(T64, S64, activation), f"float64 L ({activation}, d={d})")

    # p.11: grad_{w_j} L = E[R(x) ||w_j|| (I + w_bar w_bar^T) x sigma'(w_j.x)]  (for relu the
    # linear term is at its optimum, so by the envelope theorem it contributes nothing).
    # Per sample, entry (j, k) is s_jk = |w_j| A_j (x_k + P_j wbar_jk) with A_j = R sigma'(w_j.x)
    # and P_j = wbar_j.x; its mean and second moment reduce to matrix products over samples.
    wbar = S / w_norm[:, None]
    A = R * _sigma_prime(activation, S @ X)  # (m, N)
    P = wbar @ X
    A2 = A * A
    mean = w_norm[:, None] * ((A @ X.T) / N + (A * P).mean(axis=1)[:, None] * wbar)
    second = w_norm[:, None] ** 2 * (
        (A2 @ (X * X).T) / N
        + 2 * wbar * ((A2 * P) @ X.T) / N
        + wbar**2 * (A2 * P * P).mean(axis=1)[:, None]
    )
    se = np.sqrt(np.maximum(second - mean**2, 0.0) / (N - 1))
    closed = [[float(x.mid()) for x in row] for row in e.gradient]
    _assert_within(mean, se, closed, f"gradient ({activation}, d={d})")


# -- the loss at 40+ digits against the independent reference ----------------------------------

def _scale(config) -> float:
    """Size of the terms the closed form adds up: (sum ||u_j|| + sum ||w*_i||)^2."""
    T, S, _ = float64.as_arrays(config)
    return float((np.sum(S * S) + np.linalg.norm(T, axis=1).sum()) ** 2) + 1.0


@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_loss_and_gradient_agree_with_reference_at_40_digits(config_strategy, reference_loss_gradient, data):
    config = data.draw(config_strategy(d=st.integers(1, 5)))
    ref_loss, ref_grad = reference_loss_gradient(config, 40)
    e = evaluate(config, 40, backend="arb")
    tol = mpmath.mpf(10) ** -36 * _scale(config)
    with mpmath.workdps(60):
        assert abs(_mid(e.loss) - ref_loss) <= tol
        for row, ref_row in zip(e.gradient, ref_grad):
            for x, y in zip(row, ref_row):
                assert abs(_mid(x) - y) <= tol


def _mid(x):
    man, exp = x.mid().man_exp()
    return mpmath.ldexp(mpmath.mpf(int(man)), int(exp))
