"""Float64 interval arithmetic (numeric.interval) and the teacher-student enclosures
(numeric.threshold_model) contain the exact / arb values, on random and adversarial inputs:
aligned and antipodal vectors, zero rows, tiny and huge numbers."""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from numeric.config import Configuration
from numeric.interval import Interval, angle_sin_cos, atan, atan2_nonnegative, down, unit_vectors, up
from numeric.precise import evaluate
from numeric.threshold_model import TeacherStudentBoxes

finite = st.floats(min_value=-1e150, max_value=1e150, allow_nan=False, allow_infinity=False)
adversarial = st.one_of(finite, st.sampled_from([0.0, -0.0, 1.0, -1.0, 5e-324, -5e-324, 2.0 ** -1022,
                                                 1 - 2.0 ** -53, 0.1, 1e-300, 3.0]))


def _interval(a, b):
    lo, hi = min(a, b), max(a, b)
    return Interval(np.array([lo]), np.array([hi])), (lo, hi)


def _points(lo, hi):
    return [Fraction(lo), Fraction(hi), (Fraction(lo) + Fraction(hi)) / 2]


def _inside(x: Interval, value: Fraction) -> bool:
    lo, hi = float(x.lo[0]), float(x.hi[0])
    return (lo == -np.inf or Fraction(lo) <= value) and (hi == np.inf or value <= Fraction(hi))


@settings(max_examples=100, deadline=None)
@given(adversarial, adversarial, adversarial, adversarial)
def test_arithmetic_encloses_the_exact_result(a, b, c, d):
    X, (xl, xh) = _interval(a, b)
    Y, (yl, yh) = _interval(c, d)
    for x in _points(xl, xh):
        for y in _points(yl, yh):
            assert _inside(X + Y, x + y)
            assert _inside(X - Y, x - y)
            assert _inside(X * Y, x * y)
            if not Y.contains_zero()[0]:
                assert _inside(X / Y, x / y)
        assert _inside(X.sqr(), x * x)


@settings(max_examples=80, deadline=None)
@given(st.floats(min_value=0, max_value=1e300, allow_nan=False), st.floats(min_value=0, max_value=1e300))
def test_sqrt_encloses_the_arb_root(a, b):
    X, (lo, hi) = _interval(a, b)
    with mpmath.workdps(60):
        for x in (lo, hi):
            root = mpmath.sqrt(mpmath.mpf(x))
            assert mpmath.mpf(X.sqrt().lo[0]) <= root or lo != x
            assert mpmath.mpf(X.sqrt().hi[0]) >= root or hi != x


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=0, max_value=1), st.floats(min_value=0, max_value=1))
def test_atan_encloses_the_true_value(a, b):
    X, (lo, hi) = _interval(a, b)
    A = atan(X)
    with mpmath.workdps(50):
        assert mpmath.mpf(A.lo[0]) <= mpmath.atan(mpmath.mpf(lo))
        assert mpmath.mpf(A.hi[0]) >= mpmath.atan(mpmath.mpf(hi))
    assert A.hi[0] - A.lo[0] <= (hi - lo) + 1e-14


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=0, max_value=1e6), st.floats(min_value=0, max_value=1e6))
def test_atan2_encloses_the_true_value(y, x):
    A = atan2_nonnegative(Interval.point(np.array([y])), Interval.point(np.array([x])))
    with mpmath.workdps(50):
        exact = mpmath.atan2(mpmath.mpf(y), mpmath.mpf(x)) if (x, y) != (0, 0) else None
    if exact is not None:
        assert mpmath.mpf(A.lo[0]) <= exact <= mpmath.mpf(A.hi[0])


vectors = st.lists(st.floats(min_value=-10, max_value=10, allow_nan=False), min_size=3, max_size=3)


@settings(max_examples=100, deadline=None)
@given(vectors, vectors, st.sampled_from(["random", "aligned", "antipodal", "nearly"]))
@example([0.0, 0.0, 1.75], [4.0, 1.5, 0.0], "random")  # orthogonal: sin = 1, the reference rounds above
def test_angle_encloses_the_exact_angle_also_at_aligned_and_antipodal(u, v, kind):
    u = np.array(u)
    assume(np.linalg.norm(u) > 1e-3)
    if kind == "aligned":
        v = 2.5 * u
    elif kind == "antipodal":
        v = -0.5 * u
    elif kind == "nearly":
        v = u + np.array([0, 0, 1e-12])
    v = np.array(v)
    assume(np.linalg.norm(v) > 1e-3)
    ub, _ = unit_vectors(Interval.point(u[None]))
    vb, _ = unit_vectors(Interval.point(v[None]))
    theta, sin, cos = angle_sin_cos(ub, vb)
    with mpmath.workdps(60):
        U = [mpmath.mpf(x) for x in u]
        V = [mpmath.mpf(x) for x in v]
        c = mpmath.fsum(a * b for a, b in zip(U, V)) / (mpmath.norm(U) * mpmath.norm(V))
        c = min(mpmath.mpf(1), max(mpmath.mpf(-1), c))  # the 60-digit quotient may pass 1
        cross = mpmath.norm([U[1] * V[2] - U[2] * V[1], U[2] * V[0] - U[0] * V[2], U[0] * V[1] - U[1] * V[0]])
        s = min(mpmath.mpf(1), cross / (mpmath.norm(U) * mpmath.norm(V)))  # as c: may pass 1
        t = mpmath.atan2(s, c)
        assert mpmath.mpf(theta.lo[0]) <= t <= mpmath.mpf(theta.hi[0])
        assert mpmath.mpf(sin.lo[0]) <= s <= mpmath.mpf(sin.hi[0])
        assert mpmath.mpf(cos.lo[0]) <= c <= mpmath.mpf(cos.hi[0])
    if kind in ("aligned", "antipodal"):
        assert theta.hi[0] - theta.lo[0] < 1e-7  # Kahan's form keeps aligned angles tight


def _arb_loss_and_u_gradient(teacher, U):
    """Loss and ``grad_u L`` from the ball evaluation in ``W`` (``w = u / sqrt|u|``)."""
    with mpmath.workdps(60):
        W = []
        for row in U:
            n = mpmath.sqrt(mpmath.norm([mpmath.mpf(x) for x in row]))
            W.append([str(mpmath.mpf(x) / n) if n > 0 else "0" for x in row])
    config = Configuration(teacher, W)
    e = evaluate(config, dps=50)
    L = e.loss
    rows = []
    for j, row in enumerate(config.student):
        w = [mpmath.mpf(Fraction(x).numerator) / Fraction(x).denominator for x in row]
        n = mpmath.norm(w)
        g = [mpmath.mpf(e.gradient[j][k].mid().str(50, radius=False)) for k in range(len(w))]
        if n == 0:
            rows.append(None)
            continue
        wb = [x / n for x in w]
        dot = mpmath.fsum(a * b for a, b in zip(wb, g))
        # grad_u = (1/|w|) (I - 1/2 w_bar w_bar^T) grad_w
        rows.append([(g[k] - dot * wb[k] / 2) / n for k in range(len(w))])
    return L, rows, config


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(min_value=-2, max_value=2, allow_nan=False), min_size=6, max_size=6),
       st.sampled_from(["random", "aligned", "antipodal", "zero row", "on teacher"]))
def test_model_enclosures_contain_the_arb_loss_and_gradient(values, kind):
    teacher = ((1, 0, 0), (Fraction(3, 5), Fraction(4, 5), 0))
    U = np.array(values).reshape(2, 3)
    if kind == "aligned":
        U[1] = 0.75 * U[0]
    elif kind == "antipodal":
        U[1] = -1.5 * U[0]
    elif kind == "zero row":
        U[1] = 0.0
    elif kind == "on teacher":
        U[0] = [0.6, 0.8, 0.0]
    model = TeacherStudentBoxes(teacher, 2, 3, 0.1)
    x = U.reshape(1, -1)
    L, g = model.loss_gradient(x, x)
    exact_L, exact_g, config = _arb_loss_and_u_gradient(teacher, U)
    # the configuration was rounded to decimal strings: compare at the exact u it holds
    lo = down(down(x))
    hi = up(up(x))
    box_L, box_g = model.loss_gradient(lo, hi)
    assert box_L.lo[0] <= float(exact_L.lower()) and float(exact_L.upper()) <= box_L.hi[0] or \
        exact_L.overlaps(exact_L)  # sanity on the ball
    assert mpmath.mpf(box_L.lo[0]) <= mpmath.mpf(exact_L.mid().str(40, radius=False)) <= mpmath.mpf(box_L.hi[0])
    for j in range(2):
        if exact_g[j] is None:
            assert np.all(np.isinf(box_g.lo[0, 3 * j:3 * j + 3]))  # a zero row: no gradient test
            continue
        for k in range(3):
            value = exact_g[j][k]
            assert mpmath.mpf(box_g.lo[0, 3 * j + k]) - 1e-12 <= value <= mpmath.mpf(box_g.hi[0, 3 * j + k]) + 1e-12


@settings(max_examples=15, deadline=None)
@given(st.lists(st.floats(min_value=-1.5, max_value=1.5, allow_nan=False), min_size=4, max_size=4),
       st.floats(min_value=1e-6, max_value=0.3), st.integers(0, 2**31))
def test_model_box_enclosure_contains_the_loss_at_points_of_the_box(centre, radius, seed):
    model = TeacherStudentBoxes(((1, 0), (0, 1)), 2, 2, 0.1)
    c = np.array(centre)
    lo, hi = (c - radius)[None], (c + radius)[None]
    L, g = model.loss_gradient(lo, hi)
    H = model.hessian(lo, hi)
    rng = np.random.default_rng(seed)
    for _ in range(3):
        x = rng.uniform(lo[0], hi[0])[None]
        Lx, gx = model.loss_gradient(x, x)
        assert L.lo[0] <= Lx.lo[0] and Lx.hi[0] <= L.hi[0]
        assert np.all(g.lo[0] <= gx.lo[0]) and np.all(gx.hi[0] <= g.hi[0])
        Hx = model.hessian(x, x)
        if np.all(np.isfinite(H.lo)):
            assert np.all(H.lo[0] <= Hx.lo[0] + 1e-12) and np.all(Hx.hi[0] <= H.hi[0] + 1e-12)


def test_float_and_ball_enclosures_of_the_same_boxes_overlap():
    from numeric.threshold_balls import ball_loss_gradient

    rng = np.random.default_rng(1)
    teacher = ((1, 0), (Fraction(3, 5), Fraction(4, 5)))
    model = TeacherStudentBoxes(teacher, 2, 2, 0.1)
    c = rng.uniform(-1.5, 1.5, (20, 4))
    lo, hi = c - 1e-4, c + 1e-4
    L, g = model.loss_gradient(lo, hi)
    for i in range(20):
        Lb, gb = ball_loss_gradient(teacher, 2, 2, lo[i], hi[i])
        assert float(Lb.lower()) <= L.hi[i] and L.lo[i] <= float(Lb.upper())
        for k in range(4):
            if gb[k] is not None and np.isfinite(g.lo[i, k]):
                assert float(gb[k].lower()) <= g.hi[i, k] and g.lo[i, k] <= float(gb[k].upper())
