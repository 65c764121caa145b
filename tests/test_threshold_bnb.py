"""The branch and bound for stationary points below a level (numeric.threshold_bnb) on a
polynomial with exactly known stationary points, and on the teacher-student model."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

from numeric.interval import Interval
from numeric.threshold_bnb import OUTCOMES, BnbSettings, branch_and_bound, distinct_points
from numeric.threshold_model import TeacherStudentBoxes


@dataclass(frozen=True)
class DoubleWell:
    """``f(x, y) = (x^2 - 1)^2 + (y^2 - 1)^2`` on ``[-2, 2.1]^2``: stationary points at
    ``x, y in {-1, 0, 1}``, with ``f`` = 0 (four minima), 1 (four saddles) and 2 (origin)."""

    n: int = 2

    def initial_box(self):
        return np.array([-2.0, -2.0]), np.array([2.1, 2.1])  # asymmetric: no point on a split

    def prune(self, lo, hi):
        return np.zeros(lo.shape[0], dtype=bool)

    def smooth(self, lo, hi):
        return np.ones(lo.shape[0], dtype=bool)

    def loss_gradient(self, lo, hi, want_gradient=True):
        x = Interval(lo, hi)
        f = ((x.sqr() - 1.0).sqr()).sum(1)
        if not want_gradient:
            return f, None
        return f, x * (x.sqr() - 1.0) * 4.0

    def gradient(self, lo, hi):
        return self.loss_gradient(lo, hi)[1]

    def hessian(self, lo, hi):
        x = Interval(lo, hi)
        diag = x.sqr() * 12.0 - 4.0
        N = lo.shape[0]
        H_lo = np.zeros((N, 2, 2))
        H_hi = np.zeros((N, 2, 2))
        H_lo[:, [0, 1], [0, 1]] = diag.lo
        H_hi[:, [0, 1], [0, 1]] = diag.hi
        return Interval(H_lo, H_hi)

    def zero_points(self):
        return np.array([[[a, b], [a, b]] for a in (-1.0, 1.0) for b in (-1.0, 1.0)])


STATIONARY = [((a, b), (a * a - 1) ** 2 + (b * b - 1) ** 2) for a in (-1, 0, 1) for b in (-1, 0, 1)]


def _contains(lo, hi, point):
    return np.all((lo <= np.array(point, float)) & (np.array(point, float) <= hi), axis=1)


def test_polynomial_every_stationary_point_found_and_the_rest_discarded():
    level = 1.5
    result = branch_and_bound(DoubleWell(), level, BnbSettings(budget=60, krawczyk_width=0.5))
    assert result.certified and result.counts["unresolved"] == 0
    lo, hi, code = result.leaves
    # a box discarded by the gradient or by Krawczyk's exclusion never holds a stationary point
    for point, value in STATIONARY:
        inside = _contains(lo, hi, point)
        assert not np.any(inside & np.isin(code, [OUTCOMES.index("gradient"), OUTCOMES.index("excluded")]))
        # ... and one discarded by the loss only holds points at or above the level
        if value < level:
            assert not np.any(inside & (code == OUTCOMES.index("loss")))
    # the four saddles at f = 1 are certified, each enclosed, and nothing else is
    groups = distinct_points(result.spurious)
    assert len(groups) == 4
    for point, value in STATIONARY:
        if value == 1:
            assert any(np.all((p.lo <= point) & (point <= p.hi)) and p.value_lo <= 1 <= p.value_hi
                       for g in groups for p in g)
    assert result.lowest_spurious().value_lo <= 1 <= result.lowest_spurious().value_hi
    assert result.counts["global"] >= 4


def test_polynomial_level_just_below_the_saddles_is_proved_and_just_above_refuted():
    below = branch_and_bound(DoubleWell(), 1 - 1e-6, BnbSettings(budget=60))
    assert below.certified and below.lowest_spurious() is None
    above = branch_and_bound(DoubleWell(), 1 + 1e-6, BnbSettings(budget=60))
    low = above.lowest_spurious()
    assert low is not None and low.value_lo <= 1 <= low.value_hi < 1 + 1e-6


def test_budget_exhausted_is_not_certified():
    result = branch_and_bound(DoubleWell(), 1.5, BnbSettings(budget=1e-9))
    assert not result.certified and result.volume_decided < 1


THRESHOLD_ORTHOGONAL_2 = (math.pi ** 2 - 8) / (2 * math.pi * (math.pi + 2))


def test_model_hessian_matches_finite_differences_of_the_gradient():
    rng = np.random.default_rng(0)
    for teacher, m, d in [(((1, 0), (0, 1)), 2, 2), (((1, 0, 0), (0, 1, 0)), 3, 3)]:
        model = TeacherStudentBoxes(teacher, m, d, 0.06)
        x = rng.standard_normal(m * d)
        H = model.hessian(x[None], x[None])
        step = 1e-6
        fd = np.zeros((m * d, m * d))
        for i in range(m * d):
            e = np.zeros(m * d)
            e[i] = step
            fd[:, i] = (model.gradient((x + e)[None], (x + e)[None]).mid()[0]
                        - model.gradient((x - e)[None], (x - e)[None]).mid()[0]) / (2 * step)
        assert np.abs(H.mid()[0] - fd).max() < 1e-6


def test_model_symmetric_images_of_the_global_minimum_are_in_the_domain():
    model = TeacherStudentBoxes(((1, 0), (0, 1)), 2, 2, 0.05)
    lo, hi = model.initial_box()
    z = model.zero_points()
    inside = [np.all((lo <= p[0]) & (p[1] <= hi)) and not model.prune(p[0][None], p[1][None])[0] for p in z]
    assert sum(inside) >= 1


@pytest.mark.slow
def test_target1_threshold_proved_and_level_above_the_bisector_point_refuted():
    """Two orthogonal unit teachers, m = 2, R^2: no spurious stationary point below
    (1 - 1e-7) L*, and at L* + 1e-6 the bisector point itself is certified below the level."""
    model = TeacherStudentBoxes(((1, 0), (0, 1)), 2, 2, THRESHOLD_ORTHOGONAL_2 * (1 - 1e-7))
    proved = branch_and_bound(model, model.level, BnbSettings(budget=3000))
    assert proved.certified and proved.lowest_spurious() is None
    level = THRESHOLD_ORTHOGONAL_2 + 1e-6
    twin = branch_and_bound(TeacherStudentBoxes(((1, 0), (0, 1)), 2, 2, level), level, BnbSettings(budget=3000))
    low = twin.lowest_spurious()
    assert low is not None and low.value_lo <= THRESHOLD_ORTHOGONAL_2 <= low.value_hi


def test_decimal_strings_keep_only_certified_digits():
    from fractions import Fraction

    from proofs_check.threshold import ceiling_decimal, common_digits, floor_decimal

    assert floor_decimal(Fraction(2, 3), 5) == "0.66666" and ceiling_decimal(Fraction(2, 3), 5) == "0.66667"
    assert common_digits(Fraction("0.0578724913"), Fraction("0.0578724931")) == "0.05787249"
    # an enclosure straddling a digit boundary certifies fewer digits
    assert common_digits(Fraction("0.12999"), Fraction("0.13001")) == "0.1"


def test_fundamental_image_normalises_signs_and_order():
    from proofs_check.threshold import fundamental_image

    point = fundamental_image([["-1", "0"], ["0.5", "0.5"]], 2)
    model = TeacherStudentBoxes(((1, 0), (0, 1)), 2, 2, 0.06)
    x = np.array(point)[None]
    lo, hi = model.initial_box()
    assert np.all((lo <= x[0]) & (x[0] <= hi)) and not model.prune(x, x)[0]


def test_zero_row_blow_up_excludes_only_boxes_without_nonzero_stationary_rows():
    from fractions import Fraction

    angle_pair = ((Fraction("1.1"), 0), (Fraction("0.5777349304367748080686667"), Fraction("0.3952497313765247500406618")))
    # the best single student u* (float64 optimum); splitting it along its own direction,
    # (u* - t u_bar, t u_bar), gives stationary points with a small non-zero second row
    w = np.array([1.28757185, 0.27615292])
    u_star = np.linalg.norm(w) * w
    box_lo = np.array([0.0, -0.01, u_star[0] - 0.01, u_star[1] - 0.01])
    box_hi = np.array([0.01, 0.01, u_star[0] + 0.01, u_star[1] + 0.01])
    model = TeacherStudentBoxes(angle_pair, 2, 2, 0.0159, zero_rows_covered=True)
    assert not model.zero_row_excluded(box_lo[None], box_hi[None])[0]
    # two orthogonal teachers, the other student on e_1: row 2's direction field at 0 is
    # -G(e_2, omega) != 0 for every omega, so only u_2 = 0 could be stationary there
    model = TeacherStudentBoxes(((1, 0), (0, 1)), 2, 2, 0.05, zero_rows_covered=True)
    lo = np.array([0.0, -0.01, 0.99, -0.01])
    hi = np.array([0.01, 0.01, 1.01, 0.01])
    assert model.zero_row_excluded(lo[None], hi[None])[0]
    # without the width m - 1 proved, zero-row boxes are never excluded
    uncovered = TeacherStudentBoxes(((1, 0), (0, 1)), 2, 2, 0.05)
    assert not uncovered.zero_row_excluded(lo[None], hi[None])[0]
