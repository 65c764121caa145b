"""Gradient and Hessian against high-precision numerical differentiation, and the three
evaluation paths (arb balls, mpmath, numpy float64) against each other.

Finite differences run on the mpmath backend at ``FD_DPS = 80`` digits with step
``h = 10^-25`` (an exact rational, so the perturbed configuration is exact):

* gradient = central differences of the loss: error ``h^2 L''' / 6 ~ 1e-50`` plus rounding
  ``10^-80 / h = 1e-55``; we ask for 1e-40 relative to the gradient's scale.
* Hessian = central differences of the gradient.  At generic points the error is O(h^2).
  At an aligned (or antipodal) pair the loss is C^2 but not C^3: the angular part of the
  kernel is ``pi/2 - (pi/4) t^2 + t^3/3 + ...`` in the angle t >= 0, so along a direction
  that tilts the pair the gradient has a kink (g'' jumps) and the central difference is off
  by ``h/4 (g''(0+) - g''(0-)) = O(h) ~ 1e-25``.  Those points get a 1e-20 tolerance.
  Near a tiny student (norm 1e-8) the step is 1e-17 of the norm and ``u = |w| w`` has third
  derivatives of size 1/|w|, so the O(h^2) error is ~(h/|w|)^2 = 1e-34: tolerance 1e-28.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from numeric import float64
from numeric.config import Configuration
from numeric.precise import UndefinedQuantityError, evaluate

FD_DPS = 80
STEP = Fraction(1, 10**25)

TEACHER = [[1, "0.3", "-0.2"], ["-0.4", 1, "0.5"]]
#: name -> (student rows, Hessian tolerance relative to scale); see the module docstring.
POINTS = {
    "random": ([["0.9", "0.1", "-0.3"], ["-0.2", "0.8", "0.7"], ["0.3", "0.3", "0.3"]], 1e-40),
    # student 0 along teacher 0, students 1 and 2 equal (aligned with each other)
    "aligned": ([["0.5", "0.15", "-0.1"], ["-0.2", "0.8", "0.7"], ["-0.2", "0.8", "0.7"]], 1e-20),
    # student 0 against teacher 0, student 2 = -2 * student 1
    "antipodal": ([["-0.5", "-0.15", "0.1"], ["-0.2", "0.8", "0.7"], ["0.4", "-1.6", "-1.4"]], 1e-20),
    "tiny": ([["1e-8", "2e-8", "-1e-8"], ["-0.2", "0.8", "0.7"], ["0.3", "0.3", "0.3"]], 1e-28),
    # student 0 equal to teacher 1 (aligned with it; u_0 = ||w_0|| w_0 is longer than w*_1)
    "matched": ([["-0.4", 1, "0.5"], ["0.9", "0.1", "-0.3"], ["0.3", "0.3", "0.3"]], 1e-20),
}


def _perturbed(config: Configuration, j: int, k: int, step) -> Configuration:
    student = [list(row) for row in config.student]
    student[j][k] += step
    return config.replace(student=student)


def _flat(rows):
    return [x for row in rows for x in row]


def _fd_gradient(config):
    h = mpmath.mpf(STEP.numerator) / STEP.denominator
    loss = lambda c: evaluate(c, FD_DPS, backend="mpmath", gradient=False).loss
    return [
        [(loss(_perturbed(config, j, k, STEP)) - loss(_perturbed(config, j, k, -STEP))) / (2 * h)
         for k in range(config.d)]
        for j in range(config.m)
    ]


def _fd_hessian(config):
    """Column (j, k) = central difference of the flattened gradient along w_j[k]."""
    h = mpmath.mpf(STEP.numerator) / STEP.denominator
    grad = lambda c: _flat(evaluate(c, FD_DPS, backend="mpmath").gradient)
    columns = []
    for j in range(config.m):
        for k in range(config.d):
            plus, minus = grad(_perturbed(config, j, k, STEP)), grad(_perturbed(config, j, k, -STEP))
            columns.append([(p - q) / (2 * h) for p, q in zip(plus, minus)])
    return [list(row) for row in zip(*columns)]  # row index = gradient entry


def _max_abs_diff(A, B):
    return max(abs(a - b) for a, b in zip(_flat(A), _flat(B)))


def _scale(rows):
    return max(1, max(abs(x) for x in _flat(rows)))


@pytest.mark.parametrize("activation", ["abs", "relu"])
@pytest.mark.parametrize("point", sorted(POINTS))
def test_gradient_and_hessian_match_finite_differences(point, activation):
    student, hessian_tol = POINTS[point]
    config = Configuration(TEACHER, student, activation)
    with mpmath.workdps(FD_DPS):
        e = evaluate(config, 60, backend="mpmath", hessian=True)
        fd_g = _fd_gradient(config)
        assert _max_abs_diff(e.gradient, fd_g) <= 1e-40 * _scale(e.gradient)
        fd_h = _fd_hessian(config)
        assert _max_abs_diff(e.hessian, fd_h) <= hessian_tol * _scale(e.hessian)
        # The finite-difference Hessian is only symmetric up to its own error; ours exactly.
        assert all(e.hessian[i][k] == e.hessian[k][i]
                   for i in range(len(e.hessian)) for k in range(i))


@pytest.mark.parametrize("activation", ["abs", "relu"])
def test_gradient_at_a_zero_student_matches_finite_differences(activation):
    """At w_j = 0 the loss is differentiable (u = |w| w is C^1) with grad_{w_j} L = 0,
    while the Hessian is undefined there and says so."""
    config = Configuration(TEACHER, [[0, 0, 0], ["-0.2", "0.8", "0.7"], ["0.3", "0.3", "0.3"]], activation)
    with mpmath.workdps(FD_DPS):
        e = evaluate(config, 60, backend="mpmath")
        assert all(x == 0 for x in e.gradient[0])
        assert _max_abs_diff(e.gradient, _fd_gradient(config)) <= 1e-40 * _scale(e.gradient)
    with pytest.raises(UndefinedQuantityError, match="student row 0"):
        evaluate(config, 30, hessian=True)
    with pytest.raises(UndefinedQuantityError, match="student row 0"):
        float64.hessian(*float64.as_arrays(config))


def test_mpmath_diff_agrees_on_one_entry():
    """The same check through mpmath.diff (its own step and guard precision) at 60 digits.

    mpmath.diff raises the working precision while it differences, so the loss must be
    evaluated at the precision in force at the call, not at a fixed one.
    """
    config = Configuration(TEACHER, POINTS["random"][0])
    with mpmath.workdps(60):
        e = evaluate(config, 60, backend="mpmath")

        def loss(t):
            c = _perturbed(config, 1, 2, t)
            return evaluate(c, mpmath.mp.dps, backend="mpmath", gradient=False).loss

        assert abs(mpmath.diff(loss, 0) - e.gradient[1][2]) < mpmath.mpf(10) ** -40


# -- the three evaluation paths agree ---------------------------------------------------------

def _mids(rows):
    return np.array([[float(x.mid()) for x in row] for row in rows])


def _assert_ball_contains(ball, value, slack):
    """``value`` (mpf) lies in the arb ``ball`` widened by ``slack`` (for mpmath rounding)."""
    man, exp = ball.mid().man_exp()
    mid = mpmath.ldexp(mpmath.mpf(int(man)), int(exp))
    rad = mpmath.mpf(float(ball.rad())) * (1 + mpmath.mpf(10) ** -10)
    assert abs(mid - value) <= rad + slack, (ball, value)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_backends_agree(config_strategy, data):
    config = data.draw(config_strategy(d=st.integers(1, 5)))
    want_hessian = not config.zero_students()
    arb_e = evaluate(config, 50, backend="arb", hessian=want_hessian)
    mp_e = evaluate(config, 50, backend="mpmath", hessian=want_hessian)
    T, S, act = float64.as_arrays(config)
    L64, G64 = float64.loss_and_gradient(T, S, act)

    loss_scale = float((np.sum(S * S) + np.linalg.norm(T, axis=1).sum()) ** 2) + 1.0
    with mpmath.workdps(60):
        slack = mpmath.mpf(10) ** -45 * loss_scale
        _assert_ball_contains(arb_e.loss, mp_e.loss, slack)
        for ball, value in zip(_flat(arb_e.gradient), _flat(mp_e.gradient)):
            _assert_ball_contains(ball, value, slack)
    assert abs(L64 - float(arb_e.loss.mid())) <= 1e-12 * loss_scale
    G = _mids(arb_e.gradient)
    assert np.max(np.abs(G64 - G), initial=0) <= 1e-12 * max(1.0, np.max(np.abs(G)))
    if want_hessian:
        H = _mids(arb_e.hessian)
        H_scale = max(1.0, np.max(np.abs(H)))
        with mpmath.workdps(60):
            for ball, value in zip(_flat(arb_e.hessian), _flat(mp_e.hessian)):
                _assert_ball_contains(ball, value, mpmath.mpf(10) ** -45 * H_scale)
        H64 = float64.hessian(T, S, act)
        assert H64.shape == (config.m * config.d,) * 2
        assert np.max(np.abs(H64 - H)) <= 1e-12 * H_scale
        assert np.max(np.abs(H64 - H64.T)) <= 1e-13 * H_scale
        # the arb Hessian is symmetric as balls: each pair of entries overlaps
        n = len(arb_e.hessian)
        assert all(arb_e.hessian[i][k].overlaps(arb_e.hessian[k][i]) for i in range(n) for k in range(i))


@pytest.mark.parametrize("activation", ["abs", "relu"])
@pytest.mark.parametrize("shape", [(3, 6, 5), (4, 8, 10)])
def test_backends_agree_on_larger_random_configurations(random_configuration, shape, activation):
    r, m, d = shape
    config = random_configuration(seed=sum(shape), r=r, m=m, d=d, activation=activation)
    e = evaluate(config, 40, backend="arb", hessian=True)
    T, S, act = float64.as_arrays(config)
    L64, G64 = float64.loss_and_gradient(T, S, act)
    H64 = float64.hessian(T, S, act)
    assert L64 == pytest.approx(float(e.loss.mid()), rel=1e-12)
    G, H = _mids(e.gradient), _mids(e.hessian)
    assert np.max(np.abs(G64 - G)) <= 1e-12 * np.max(np.abs(G))
    assert np.max(np.abs(H64 - H)) <= 1e-12 * np.max(np.abs(H))
    assert max(float(x.rad()) for x in _flat(e.hessian)) < 1e-30
