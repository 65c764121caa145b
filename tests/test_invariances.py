"""Symmetries of the loss, its zero set, and the ReLU reduction, checked with python-flint balls.

Every evaluation here is an arb enclosure of an exact quantity, and each identity below is
exact, so the two sides must *overlap*: a miss is a bug (or a non-rigorous enclosure), never
rounding.  Configurations have rational entries, and rotations are exact rational orthogonal
matrices (Cayley transforms), so the transformed configuration is exact too.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp
from flint import arb, fmpq
from hypothesis import given, settings, strategies as st

from numeric import float64
from numeric.config import Configuration
from numeric.precise import evaluate

DPS = 40
SETTINGS = settings(max_examples=50, deadline=None)


def _ball(x: Fraction):
    return arb(fmpq(x.numerator, x.denominator))


def _overlaps(x, y) -> bool:
    return x.overlaps(y)


def _evaluate(config):
    return evaluate(config, DPS, backend="arb", hessian=not config.zero_students())


def _assert_same(e1, e2, transform_gradient=None, transform_hessian=None):
    """``e2`` is ``e1`` after the symmetry; the transforms map e1's derivatives to e2's."""
    assert _overlaps(e1.loss, e2.loss), (e1.loss, e2.loss)
    g1 = transform_gradient(e1.gradient) if transform_gradient else e1.gradient
    for row1, row2 in zip(g1, e2.gradient, strict=True):
        for x, y in zip(row1, row2, strict=True):
            assert _overlaps(x, y), (x, y)
    if e1.hessian is not None:
        h1 = transform_hessian(e1.hessian) if transform_hessian else e1.hessian
        for row1, row2 in zip(h1, e2.hessian, strict=True):
            for x, y in zip(row1, row2, strict=True):
                assert _overlaps(x, y), (x, y)


# -- permutations and sign flips -----------------------------------------------------------------

@SETTINGS
@given(data=st.data())
def test_permuting_students_and_teachers(config_strategy, data):
    config = data.draw(config_strategy())
    m, d = config.m, config.d
    sigma = data.draw(st.permutations(range(m)), label="student order")
    tau = data.draw(st.permutations(range(config.r)), label="teacher order")
    moved = config.replace(student=[config.student[j] for j in sigma],
                           teacher=[config.teacher[i] for i in tau])

    def gradient(g):
        return [g[j] for j in sigma]

    def hessian(H):
        index = [sigma[a // d] * d + a % d for a in range(m * d)]
        return [[H[index[a]][index[b]] for b in range(m * d)] for a in range(m * d)]

    _assert_same(_evaluate(config), _evaluate(moved), gradient, hessian)


@SETTINGS
@given(data=st.data())
def test_flipping_signs_of_students_and_teachers(config_strategy, data):
    """L(.., -w_j, ..) = L: the gradient row of a flipped student flips, the Hessian block
    (j, l) picks up s_j s_l; flipping a teacher changes nothing (|.| is even)."""
    config = data.draw(config_strategy())
    m, d = config.m, config.d
    s = data.draw(st.lists(st.sampled_from([1, -1]), min_size=m, max_size=m), label="student signs")
    t = data.draw(st.lists(st.sampled_from([1, -1]), min_size=config.r, max_size=config.r),
                  label="teacher signs")
    flipped = config.replace(
        student=[[s[j] * x for x in row] for j, row in enumerate(config.student)],
        teacher=[[t[i] * x for x in row] for i, row in enumerate(config.teacher)],
    )

    def gradient(g):
        return [[s[j] * x for x in row] for j, row in enumerate(g)]

    def hessian(H):
        return [[s[a // d] * s[b // d] * H[a][b] for b in range(m * d)] for a in range(m * d)]

    _assert_same(_evaluate(config), _evaluate(flipped), gradient, hessian)


# -- rotations -----------------------------------------------------------------------------------

@st.composite
def rational_orthogonal(draw, d: int):
    """An exact orthogonal matrix: a Cayley transform (I - A)(I + A)^-1 of a rational skew A,
    times a diagonal of signs (so improper rotations, and d = 1, are included)."""
    A = sp.zeros(d, d)
    for i in range(d):
        for k in range(i + 1, d):
            a = sp.Rational(draw(st.integers(-6, 6)), draw(st.integers(1, 4)))
            A[i, k], A[k, i] = a, -a
    signs = draw(st.lists(st.sampled_from([1, -1]), min_size=d, max_size=d))
    Q = (sp.eye(d) - A) * (sp.eye(d) + A).inv() * sp.diag(*signs)
    assert Q * Q.T == sp.eye(d)
    return [[Fraction(int(Q[i, k].p), int(Q[i, k].q)) for k in range(d)] for i in range(d)]


def _apply(Q, row):
    return [sum((q * x for q, x in zip(q_row, row)), Fraction(0)) for q_row in Q]


@SETTINGS
@given(data=st.data())
def test_rotating_all_vectors(config_strategy, data):
    """L(QW) = L(W), grad_{Qw_j} = Q grad_{w_j}, Hessian blocks H_jl -> Q H_jl Q^T."""
    config = data.draw(config_strategy())
    m, d = config.m, config.d
    Q = data.draw(rational_orthogonal(d), label="Q")
    rotated = config.replace(
        student=[_apply(Q, row) for row in config.student],
        teacher=[_apply(Q, row) for row in config.teacher],
    )
    Qb = [[_ball(q) for q in row] for row in Q]

    def gradient(g):
        return [[sum((Qb[i][k] * row[k] for k in range(d)), arb(0)) for i in range(d)] for row in g]

    def hessian(H):
        # (I_m (x) Q) H (I_m (x) Q)^T, block by block
        n = m * d
        QH = [[sum((Qb[a % d][k] * H[(a // d) * d + k][b] for k in range(d)), arb(0))
               for b in range(n)] for a in range(n)]
        return [[sum((QH[a][(b // d) * d + k] * Qb[b % d][k] for k in range(d)), arb(0))
                 for b in range(n)] for a in range(n)]

    _assert_same(_evaluate(config), _evaluate(rotated), gradient, hessian)


# -- global minima of the over-parameterized network --------------------------------------------

def _unit_vector(t):
    """Inverse stereographic projection of a rational point t in Q^(d-1): a rational unit vector."""
    s = sum((x * x for x in t), Fraction(0))
    return [2 * x / (s + 1) for x in t] + [(s - 1) / (s + 1)]


coefficients = st.integers(1, 12).map(lambda k: Fraction(k, 6))


@st.composite
def global_minima(draw):
    """Students aligned with teachers (signs flipped at random), masses split so that for each
    teacher i the group T_i has w_j = +-c_j v_i with sum c_j^2 = ||w*_i|| (v_i unit): then
    ||w_j|| |w_j.x| = c_j^2 |v_i.x| and the group reproduces |w*_i.x| exactly, i.e. (without
    flips) sum_{T_i} ||w_j|| w_j = w*_i."""
    d = draw(st.integers(1, 4), label="d")
    r = draw(st.integers(1, 3), label="r")
    teacher, student = [], []
    for _ in range(r):
        t = draw(st.lists(st.integers(-5, 5).map(lambda k: Fraction(k, 3)), min_size=d - 1, max_size=d - 1))
        v = _unit_vector(t)
        c = draw(st.lists(coefficients, min_size=1, max_size=3))
        norm = sum(x * x for x in c)
        t_sign = draw(st.sampled_from([1, -1]))
        teacher.append([t_sign * norm * x for x in v])
        for cj in c:
            sign = draw(st.sampled_from([1, -1]))
            student.append([sign * cj * x for x in v])
    student = draw(st.permutations(student), label="student order")
    activation = draw(st.sampled_from(["abs", "relu"]))
    return Configuration(teacher, student, activation)


@SETTINGS
@given(config=global_minima())
def test_global_minima_have_zero_loss_and_gradient(config):
    e = evaluate(config, DPS, backend="arb", hessian=True)
    assert e.loss.contains(0) and float(e.loss.rad()) < 10.0 ** -(DPS - 8)
    for row in e.gradient:
        for x in row:
            assert x.contains(0) and float(x.rad()) < 10.0 ** -(DPS - 8)
    # a minimum: the Hessian is positive semi-definite (float64 eigenvalues, to rounding)
    H = np.array([[float(x.mid()) for x in row] for row in e.hessian])
    scale = max(1.0, np.max(np.abs(H)))
    assert np.linalg.eigvalsh(H).min() >= -1e-12 * scale
    # and the float64 fast path sees it too, to rounding
    T, S, act = float64.as_arrays(config)
    L, G = float64.loss_and_gradient(T, S, act)
    size = float((np.sum(S * S) + np.linalg.norm(T, axis=1).sum()) ** 2)
    assert abs(L) <= 1e-13 * size
    assert np.max(np.abs(G)) <= 1e-12 * max(1.0, size)


# -- App. A: the ReLU network with its linear term fitted is 1/4 of the abs network ---------------

@SETTINGS
@given(data=st.data())
def test_relu_loss_gradient_hessian_are_a_quarter_of_abs(config_strategy, data):
    config = data.draw(config_strategy(activation=st.just("abs")))
    abs_e = _evaluate(config)
    relu_e = _evaluate(config.replace(activation="relu"))
    quarter = lambda rows: [[x / 4 for x in row] for row in rows]
    assert _overlaps(abs_e.loss / 4, relu_e.loss)
    for row1, row2 in zip(quarter(abs_e.gradient), relu_e.gradient):
        assert all(_overlaps(x, y) for x, y in zip(row1, row2))
    if abs_e.hessian is not None:
        for row1, row2 in zip(quarter(abs_e.hessian), relu_e.hessian):
            assert all(_overlaps(x, y) for x, y in zip(row1, row2))
