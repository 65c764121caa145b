"""Where the compiled engine (numeric.native) is used besides ``evaluate``: the stationary
hunt's gradients at exact points (the Krawczyk test's mean-value check of the Hessian) and
the margin optimiser below float64 levels.  Each gives the same verdicts with either engine
(``ball_engine("python-flint")`` against the default), the native path is shown to be taken,
and a wrong native gradient is caught."""
from __future__ import annotations

from fractions import Fraction
from unittest import mock

import flint
import numpy as np
import pytest
from flint import arb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import numeric.native as native
from numeric.ball_engines import exact_fraction, exact_sum, point_gradient
from numeric.level_set import LevelSetSettings, minimise_gradient_norm, rescale_to_level
from numeric.precise import ball_engine
from numeric.stationary import TeacherStudentModel, certify, refine
from symbolic.stationary_points import orthogonal_teacher_points

pytestmark = pytest.mark.skipif(not native.status().startswith("available"),
                                reason=f"numeric.native is {native.status()}")

DPS = 40
#: As tests/test_native.py: rad(native) <= WIDTH_FACTOR (rad(box evaluator) + one unit).
WIDTH_FACTOR = 8


class _Counting:
    """Counts the compiled engine's evaluations (and can corrupt their gradients)."""

    def __init__(self, scale=None):
        self.calls, self.scale = 0, scale
        self.original = native.NativeEngine.loss_and_gradient

    def __call__(self, engine, config, *, gradient=True):
        self.calls += 1
        loss, grad = self.original(engine, config, gradient=gradient)
        if self.scale is not None and grad is not None:
            grad = tuple(tuple(v * self.scale for v in row) for row in grad)
        return loss, grad

    def patch(self):
        def method(engine, config, *, gradient=True):
            return self(engine, config, gradient=gradient)

        return mock.patch.object(native.NativeEngine, "loss_and_gradient", method)


def _closed_form_centre(r: int, name: str):
    point = {p.name: p for p in orthogonal_teacher_points(r)}[name]
    rows = [[float(x) for x in row] for row in point.student_rows(DPS + 20)]
    model = TeacherStudentModel.from_rows(np.eye(r).tolist(), len(rows))
    return model, refine(model, np.array(rows).reshape(-1), DPS)


def _student_rows(model, x):
    return [x[j * model.d:(j + 1) * model.d] for j in range(model.m)]


def _certificate_fields(cert):
    inertia = cert.inertia
    return (cert.certified, str(cert.radius), tuple(str(c) for c in cert.centre), str(cert.gradient_norm),
            cert.reason, None if inertia is None else
            (inertia.negative, inertia.undecided, inertia.positive, str(inertia.min_eigenvalue)))


@pytest.mark.parametrize("r,name", [(2, "one on a bisector"), (3, "one on the diagonal"),
                                    (2, "one per teacher"), (3, "one on a teacher")])
def test_certificates_are_identical_with_either_engine(r, name):
    """The Krawczyk test's m d gradients at exact points (the mean-value check of the
    Hessian, numeric.stationary._inconsistent_column) run native by default; the certificate
    (certified, radius, centre, gradient norm, inertia) is the same as with python-flint."""
    model, centre = _closed_form_centre(r, name)
    unused, counting = _Counting(), _Counting()
    with ball_engine("python-flint"), unused.patch():
        slow = certify(model, centre, DPS)
    with ball_engine("native"), counting.patch():
        fast = certify(model, centre, DPS)
    assert slow.certified and unused.calls == 0
    assert _certificate_fields(fast) == _certificate_fields(slow)
    assert counting.calls >= model.n  # every column's gradient took the native path


def test_a_wrong_native_gradient_is_caught_by_the_mean_value_check():
    """A native gradient 1e-6 too large no longer matches the Hessian's enclosure: the
    certificate is refused with the mean-value reason (so the check that uses it is live)."""
    model, centre = _closed_form_centre(2, "one per teacher")
    with ball_engine("native"), _Counting(scale=1 + arb("1e-6")).patch():
        cert = certify(model, centre, DPS)
    assert not cert.certified and "mean-value difference quotient" in cert.reason


@st.composite
def exact_points(draw, config_strategy):
    """A grid configuration (aligned, antipodal, zero rows common) as a model and an exact
    point; sometimes with student rows dropped below r (a reduced point, m < r)."""
    c = draw(config_strategy(extra_students=st.integers(0, 2), d=st.integers(1, 3)))
    students = list(c.student)
    if draw(st.booleans()) and len(students) > 1:
        students = students[:draw(st.integers(1, len(students) - 1))]
    model = TeacherStudentModel(c.teacher, len(students), c.activation)
    return model, [arb(flint.fmpq(x.numerator, x.denominator)) for row in students for x in row]


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_point_gradients_agree_with_the_box_evaluator(config_strategy, data):
    model, x = data.draw(exact_points(config_strategy))
    with flint.ctx.workdps(30):
        unit = 2.0 ** -flint.ctx.prec
        with ball_engine("python-flint"):
            slow = model.ball_gradient(x)
        fast = point_gradient(model.teacher, _student_rows(model, x), model.activation)
        if fast is None:  # no nonzero neuron: the box evaluator is the only path
            assert all(v.is_zero() for v in slow)
            return
        assert len(fast) == len(slow)
        for a, b in zip(fast, slow):
            assert a.overlaps(b), (model, x, a, b)
            assert float(a.rad()) <= WIDTH_FACTOR * (float(b.rad()) + unit * (1 + abs(float(a.mid()))))


def test_boxes_and_the_python_flint_engine_take_the_box_path():
    model = TeacherStudentModel.from_rows([[1, 0]], 2)
    point = [arb("0.5"), arb(0), arb(0), arb(1)]
    box = [arb("0.5", "1e-20")] + point[1:]
    rows = lambda x: _student_rows(model, x)  # noqa: E731
    assert point_gradient(model.teacher, rows(point), "abs") is not None
    assert point_gradient(model.teacher, rows(box), "abs") is None
    with ball_engine("python-flint"):
        assert point_gradient(model.teacher, rows(point), "abs") is None
    with mock.patch.object(native, "_ENGINE", native.Unavailable("no FLINT here")):
        assert point_gradient(model.teacher, rows(point), "abs") is None  # "auto": fall back
        with pytest.raises(native.NativeUnavailable, match="no FLINT here"):
            point_gradient(model.teacher, rows(point), "abs", engine="native")


def _dyadic(man: int, exp: int) -> arb:
    """``man * 2^exp`` as an exact arb (made at a precision that holds all its bits)."""
    with flint.ctx.workprec(1024):
        return arb(flint.fmpz(man)) * arb(2) ** exp


dyadics = st.builds(_dyadic, st.integers(-(2 ** 200), 2 ** 200), st.integers(-300, 300))


@settings(max_examples=100, deadline=None, database=None)
@given(a=dyadics, b=dyadics)
def test_exact_sum_is_exact(a, b):
    # the operands are exact (dyadic) whatever the precision they were made at
    assert a.is_exact() and b.is_exact()
    total = exact_sum(a, b)
    assert total.is_exact()
    assert exact_fraction(total) == exact_fraction(a) + exact_fraction(b)


def test_exact_sum_of_a_ball_is_the_ball_sum_and_the_plain_sum_rounds():
    with flint.ctx.workdps(DPS):
        a, h = arb(flint.fmpq(3, 4)), arb(flint.fmpq(1, 2 ** 300))  # exact
        exact = Fraction(3, 4) + Fraction(1, 2 ** 300)
        rounded = a + h  # 300 bits apart at 136 bits: the ordinary sum rounds
        assert not (rounded.is_exact() and exact_fraction(rounded) == exact)
        assert exact_fraction(exact_sum(a, h)) == exact
        ball = arb("0.5", "1e-10")
        assert exact_sum(ball, h).rad() >= ball.rad()


def test_margin_optimiser_below_float64_levels_agrees_with_either_engine():
    """At loss level 1e-9 (below the float64 floor 1e-7) the level-set descent evaluates on
    balls (``arb39``).  The two engines' midpoints differ in their last bits, so the descents
    are not bit-identical; they take the same number of steps and end at the same objective to
    8 digits, and the native engine is what ran by default."""
    T = np.array([[1.0, 0.0, 0.0], [0.0, 0.6, 0.8]])
    start = np.array([[1.0, 0.02, 0.0], [0.0, 0.6, 0.8], [0.3, -0.3, 0.4]])
    level, short = 1e-9, LevelSetSettings(iterations=8)
    results = {}
    for engine in ("python-flint", "native"):
        counting = _Counting()
        with ball_engine(engine), counting.patch():
            W = rescale_to_level(T, start, level, short)
            results[engine] = (minimise_gradient_norm(T, W, level, short), counting.calls)
    (slow, slow_calls), (fast, fast_calls) = results["python-flint"], results["native"]
    assert slow_calls == 0 and fast_calls > 0
    assert slow.precision == fast.precision == "arb39"
    assert len(slow.trajectory) == len(fast.trajectory)
    assert abs(float(fast.objective) / float(slow.objective) - 1) < 1e-8
    assert abs(float(fast.loss) / level - 1) < 1e-9 and abs(float(slow.loss) / level - 1) < 1e-9
