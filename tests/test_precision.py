"""Precision control: certified digits at tiny loss, where float64 is useless, and precision
contexts that are always restored."""
from __future__ import annotations

import flint
import mpmath
import pytest

from numeric import pair_kernels, float64
from numeric.config import Configuration
from numeric.errors import ConfigurationError
from numeric.precise import UndefinedQuantityError, evaluate
from numeric.precision import correct_digits, guaranteed, guaranteed_loss
from numeric.numbers import decimal_string, to_mpf

#: A global minimum (teacher 2 is split between two students of opposite sign, each
#: carrying half its mass), with student 0 tilted by 1e-30: L = delta^2/2 + O(delta^3) = 5e-61.
#: Every O(1) kernel term cancels to 60 digits, so float64 (16 digits) sees only rounding.
TINY_LOSS = Configuration.from_dict({
    "teacher": [[1, 0, 0], [0, "1.2", "1.6"]],
    "student": [[1, "1e-30", 0], [0, "0.6", "0.8"], [0, "-0.6", "-0.8"]],
})
EXACT_MINIMUM = TINY_LOSS.replace(student=[[1, 0, 0], [0, "0.6", "0.8"], [0, "-0.6", "-0.8"]])


def _reference_tiny_loss():
    with mpmath.workdps(400):
        return evaluate(TINY_LOSS, 400, backend="mpmath", gradient=False).loss


def test_guaranteed_loss_certifies_digits_at_a_tiny_loss():
    g = guaranteed_loss(TINY_LOSS, digits=20)
    assert g.certain and g.method == "ball" and g.digits >= 20
    assert g.dps > 60  # 30 working digits cannot see a 1e-61 loss behind O(1) terms
    ref = _reference_tiny_loss()
    with mpmath.workdps(300):  # enough to resolve the ball's radius next to the value
        value = to_mpf(g.value)
        assert mpmath.mpf("4.9e-61") < value < mpmath.mpf("5.1e-61")
        assert abs(value - ref) <= 10 ** -20 * abs(ref)
        assert abs(value - ref) <= g.error  # the ball's radius really bounds the error
    # the digits that the eval command would print are the reference's digits
    assert decimal_string(g.value, 20) == mpmath.nstr(ref, 20, strip_zeros=False).replace("e+", "e")


#: TINY_LOSS turned so that the near pair is no longer along a coordinate axis: in TINY_LOSS
#: itself the O(1) terms of the float64 sum happen to cancel exactly (0.6, 0.8, 1.2, 1.6 on
#: orthogonal axes), which hides the rounding noise this test is about.
TINY_LOSS_TURNED = Configuration.from_dict({
    "teacher": [["0.6", "0.8", 0], [0, "1.2", "1.6"]],
    "student": [["0.6", "0.8", "1e-30"], [0, "0.6", "0.8"], [0, "-0.6", "-0.8"]],
})


def test_float64_has_no_correct_digit_at_a_tiny_loss():
    """The fast path must never decide anything at small loss: here it is not even positive."""
    T, S, act = float64.as_arrays(TINY_LOSS_TURNED)
    L64 = float64.loss(T, S, act)
    ref = float(guaranteed_loss(TINY_LOSS_TURNED, digits=5).value)
    assert 4e-61 < ref < 6e-61  # as small as the loss of TINY_LOSS
    assert abs(L64 - ref) >= abs(ref) / 2  # not even the leading digit is right
    assert L64 <= 0 or L64 > 1e3 * ref  # in fact neither the sign nor the order of magnitude
    assert abs(L64) < 1e-13  # it is rounding noise of the O(1) terms


def test_low_working_precision_is_not_certified():
    """At 30 digits the ball honestly contains 0: the loss cannot be told from zero."""
    e = evaluate(TINY_LOSS, 30, backend="arb", gradient=False)
    assert e.loss.contains(0)
    assert correct_digits(e.loss, to_mpf(e.loss.rad())) == 0


def test_two_precision_method_agrees_with_the_ball_method():
    ball = guaranteed_loss(TINY_LOSS, digits=20)
    two = guaranteed_loss(TINY_LOSS, digits=20, backend="mpmath")
    assert two.certain and two.method == "two precisions" and two.digits >= 20
    with mpmath.workdps(300):
        assert abs(to_mpf(two.value) - to_mpf(ball.value)) <= 10 ** -19 * abs(to_mpf(ball.value))
        assert abs(two.value - _reference_tiny_loss()) <= 2 * ball.error + 10 ** -20 * abs(two.value)


@pytest.mark.parametrize("backend", ["arb", "mpmath"])
def test_an_exact_zero_loss_is_reported_uncertain(backend):
    """An exactly vanishing loss has no relative digits; the search stops at max_dps."""
    g = guaranteed_loss(EXACT_MINIMUM, digits=10, backend=backend, max_dps=120)
    assert not g.certain and g.digits == 0 and g.dps == 120


def test_guaranteed_wraps_any_evaluation():
    """The precision loop is generic: here, pi - 355/113 (relative cancellation 1e-7)."""
    def evaluate_at(dps):
        with flint.ctx.workdps(dps):
            return flint.arb.pi() - flint.arb(flint.fmpq(355, 113))

    g = guaranteed(evaluate_at, digits=30)
    with mpmath.workdps(60):
        assert abs(to_mpf(g.value) - (mpmath.pi - mpmath.mpf(355) / 113)) < mpmath.mpf(10) ** -36
    with pytest.raises(ConfigurationError, match="digits"):
        guaranteed(evaluate_at, digits=0)


# -- precision contexts --------------------------------------------------------------------------

@pytest.fixture
def odd_precisions(monkeypatch):
    """Caller precisions that no library default equals; restored by monkeypatch."""
    monkeypatch.setattr(mpmath.mp, "dps", 23)
    monkeypatch.setattr(flint.ctx, "dps", 19)
    return 23, 19


def _precisions():
    return mpmath.mp.dps, flint.ctx.dps


@pytest.mark.parametrize("backend", ["arb", "mpmath"])
def test_evaluate_uses_its_precision_and_restores_the_callers(odd_precisions, monkeypatch, backend):
    seen = []
    original = pair_kernels.abs_gradient_angular  # what the evaluators call

    def spy(*args):
        seen.append(mpmath.mp.dps if backend == "mpmath" else flint.ctx.dps)
        return original(*args)

    monkeypatch.setattr(pair_kernels, "abs_gradient_angular", spy)
    evaluate(TINY_LOSS, 77, backend=backend, hessian=True)
    assert seen and set(seen) == {77}
    assert _precisions() == odd_precisions
    guaranteed_loss(TINY_LOSS, digits=5, backend=backend)
    assert _precisions() == odd_precisions


@pytest.mark.parametrize("backend", ["arb", "mpmath"])
def test_precision_is_restored_when_evaluate_raises(odd_precisions, monkeypatch, backend):
    def broken(*args):
        raise RuntimeError("planted failure inside the working precision")

    monkeypatch.setattr(pair_kernels, "abs_gradient_angular", broken)  # loss and gradient
    monkeypatch.setattr(pair_kernels, "abs_kernel_angular_sc", broken)  # loss alone
    with pytest.raises(RuntimeError, match="planted"):
        evaluate(TINY_LOSS, 50, backend=backend)
    assert _precisions() == odd_precisions
    with pytest.raises(RuntimeError, match="planted"):
        guaranteed_loss(TINY_LOSS, digits=5, backend=backend)
    assert _precisions() == odd_precisions


def test_precision_is_restored_after_input_errors(odd_precisions):
    zero_row = TINY_LOSS.replace(student=[[0, 0, 0], [0, 1, 0], [1, 0, 0]])
    with pytest.raises(UndefinedQuantityError):
        evaluate(zero_row, 50, hessian=True)
    with pytest.raises(ConfigurationError, match="dps"):
        evaluate(TINY_LOSS, 0)
    with pytest.raises(ValueError, match="backend"):
        evaluate(TINY_LOSS, 30, backend="float128")
    assert _precisions() == odd_precisions


@pytest.mark.parametrize("dps", [0, -3, 2.5, "30", None])
def test_non_positive_or_non_integer_dps_is_rejected(dps):
    with pytest.raises(ConfigurationError, match="dps"):
        evaluate(TINY_LOSS, dps)


def test_decimal_string_has_the_requested_significant_digits():
    with mpmath.workdps(80):
        ref = _reference_tiny_loss()
        for digits in (1, 5, 17, 40):
            text = decimal_string(ref, digits)
            mantissa = text.split("e")[0].lstrip("-").replace(".", "").lstrip("0")
            assert len(mantissa) == digits, text
            assert abs(mpmath.mpf(text) - ref) <= mpmath.mpf(10) ** (1 - digits) * abs(ref)
