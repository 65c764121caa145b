"""The evaluator at width: pairs taken in blocks (linear memory), the affine angular factors
the loss and gradient are assembled from, and the memory check before allocating.

The reference is ``reference_loss_gradient`` (tests/conftest.py), which shares no code with
:mod:`numeric`: a double loop over pairs with half-angle angles at 20 guard digits.
"""
from __future__ import annotations

from unittest import mock

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

import numeric.precise as precise
from numeric.memory import memory_cap
from numeric.precise import EvaluationTooLargeError, evaluate, memory_estimate
from numeric.numbers import to_mpf
from symbolic.codegen import _angular_coefficients
from symbolic.kernel import a, b, theta

DPS = 50


def _ball_contains(ball, value, slack):
    """``value`` (mpf) lies in ``ball`` widened by ``slack`` (call inside ``mpmath.workdps``)."""
    return abs(to_mpf(ball) - value) <= to_mpf(ball.rad()) + slack


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_blocked_evaluation_contains_the_reference(config_strategy, data, reference_loss_gradient):
    """Blocks of 2 x 2 pairs (so most pairs cross blocks and are added to both rows): the balls
    still contain the independent reference, on a grid where aligned, antipodal and zero rows
    are common."""
    config = data.draw(config_strategy(extra_students=st.integers(0, 4), d=st.integers(1, 4)))
    with mock.patch.object(precise, "_BLOCK_ENTRIES", 4):
        e = evaluate(config, DPS, engine="python-flint")
    ref_loss, ref_grad = reference_loss_gradient(config, DPS)
    with mpmath.workdps(DPS + 20):
        slack = mpmath.mpf(10) ** (5 - DPS - 20) * (1 + abs(ref_loss))
        assert _ball_contains(e.loss, ref_loss, slack)
        for row, ref_row in zip(e.gradient, ref_grad, strict=True):
            for ball, value in zip(row, ref_row, strict=True):
                assert _ball_contains(ball, value, slack)
    assert float(e.loss.rad()) < 1e-40 * (1 + abs(float(ref_loss)))


@pytest.mark.parametrize("activation", ["abs", "relu"])
def test_block_size_does_not_change_the_numbers(random_configuration, activation):
    config = random_configuration(seed=5, r=4, m=13, d=5, activation=activation)
    whole = evaluate(config, DPS, backend="mpmath")
    for entries in (1, 9, 49):
        with mock.patch.object(precise, "_BLOCK_ENTRIES", entries):
            part = evaluate(config, DPS, backend="mpmath")
        tol = mpmath.mpf(10) ** (8 - DPS) * (1 + abs(whole.loss))
        assert abs(part.loss - whole.loss) <= tol
        assert all(abs(p - w) <= tol for pr, wr in zip(part.gradient, whole.gradient)
                   for p, w in zip(pr, wr))


def test_a_wrong_block_accumulation_is_caught(random_configuration, reference_loss_gradient):
    """The check above can fail: drop the transposed contribution of off-diagonal blocks (the
    natural slip when blocking a symmetric sum) and the loss leaves its ball."""
    config = random_configuration(seed=6, r=2, m=4, d=3)
    original = precise._accumulate
    calls = []

    def only_first_row_block(F, acc, rows, M, right, cols, coef):
        calls.append(rows)
        if len(calls) % 2 == 0 and rows.start > 0:
            return None  # a lost transposed block
        return original(F, acc, rows, M, right, cols, coef)

    ref_loss, _ = reference_loss_gradient(config, DPS)
    with mock.patch.object(precise, "_BLOCK_ENTRIES", 4), \
            mock.patch.object(precise, "_accumulate", only_first_row_block):
        broken = evaluate(config, DPS, engine="python-flint")
    with mpmath.workdps(DPS + 20):
        assert not _ball_contains(broken.loss, ref_loss, mpmath.mpf(10) ** -60)


def test_hessian_too_large_is_refused_before_allocating():
    """m = 500, d = 10: 5000 x 5000 balls, about 9 GB.  Refused at once, naming m, d and the
    size; loss and gradient of the same configuration are within the limit."""
    assert memory_estimate(500, 5, 10, DPS, hessian=True) > precise.MEMORY_LIMIT_BYTES
    assert memory_estimate(500, 5, 10, DPS) < 100 * 1024**2
    assert memory_estimate(2000, 5, 10, DPS) < 300 * 1024**2  # issue 12's target
    config = precise.Configuration([[1.0] + [0.0] * 9] * 5, [[0.5] * 10] * 500)
    with mock.patch.object(precise, "_evaluate", side_effect=AssertionError("allocated")):
        with pytest.raises(EvaluationTooLargeError, match=r"Hessian \(5000 x 5000 balls\) of m = 500 "
                                                          r"neurons in d = 10 .* GB"):
            evaluate(config, DPS, hessian=True)


@pytest.mark.parametrize("hessian", [False, True])
def test_memory_limit_is_a_sharp_threshold(random_configuration, hessian):
    """Just above the estimate the evaluation runs; just below it is refused."""
    config = random_configuration(seed=1, r=2, m=3, d=2)
    need = memory_estimate(config.m, config.r, config.d, 30, hessian=hessian)
    with memory_cap(need):
        assert evaluate(config, 30, hessian=hessian).loss is not None
    with memory_cap(need - 1):
        with pytest.raises(EvaluationTooLargeError, match="m = 3 neurons in d = 2"):
            evaluate(config, 30, hessian=hessian)


def test_angular_factors_must_be_affine_in_the_angle():
    """Code generation refuses a gradient factor that is not |v| times an affine function of
    (theta, sin, cos): the evaluator's matrix assembly would silently be wrong for it."""
    S, C = sp.symbols("S C")
    assert _angular_coefficients(b * (1 - 2 * theta / sp.pi), b, S, C) == (1, -2 / sp.pi, None, None)
    assert _angular_coefficients(2 * b * S / sp.pi, b, S, C) == (None, None, 2 / sp.pi, None)
    for wrong in (b * theta * C, b * S**2, a * b * S, b**2 * theta, b * S / theta):
        with pytest.raises(ArithmeticError):
            _angular_coefficients(wrong, b, S, C)


def test_a_cos_term_in_the_gradient_factors_is_refused(random_configuration, monkeypatch):
    """The ball evaluator assembles factors affine in (theta, sin) only; a derivation with a
    cos(theta) term must stop it, not be dropped silently."""
    from numeric import pair_kernels

    original = pair_kernels.abs_gradient_angular

    def with_cos(PI, F):
        u, v = original(PI, F)
        return u, v[:3] + (F.q(1, 3),)

    monkeypatch.setattr(pair_kernels, "abs_gradient_angular", with_cos)
    with pytest.raises(NotImplementedError, match="cos"):
        evaluate(random_configuration(seed=2, r=1, m=2, d=2), 30)
