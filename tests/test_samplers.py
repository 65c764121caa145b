"""The sublevel-set sampler: configurations really at the requested level, hypotheses kept."""
import math

import mpmath
import numpy as np
import pytest
from hypothesis import event, given, reject, settings
from hypothesis import strategies as st

from numeric.precise import evaluate
from numeric.numbers import to_mpf
from proofs_check.judgement import fit_exponent
from proofs_check.claims.zgj.eps0 import paper_eps0
from proofs_check.errors import UsageError
from proofs_check.models.teacher_student.samplers import (FAMILIES, configuration_at_level, configuration_at_scale,
                                   dps_for_level, random_spec, separated_teachers,
                                   up_to_sign_angle)


def _certified_relative_distance(ball, level):
    """Upper bound of |L - level| / level from the ball."""
    lvl = mpmath.mpf(level)
    return (abs(to_mpf(ball.mid()) - lvl) + to_mpf(ball.rad())) / lvl


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), r=st.integers(1, 3), extra=st.integers(0, 3),
       d_extra=st.integers(0, 2), family=st.sampled_from(FAMILIES), k=st.integers(2, 40))
def test_sample_is_at_the_requested_level(seed, r, extra, d_extra, family, k):
    rng = np.random.default_rng(seed)
    m, d = r + extra, r + d_extra
    spec = random_spec(rng, r, m, d, family=family)
    level = 10.0 ** -k
    try:
        sample = configuration_at_level(spec, level)
    except UsageError:
        reject()  # this path cannot reach the level (its loss is bounded): a documented refusal
    # The placed loss, re-evaluated independently at a higher precision, is at the level.
    event(f"family {family}")
    L = evaluate(sample.config, sample.dps + 20, gradient=False).loss
    assert _certified_relative_distance(L, level) < 1e-3
    assert sample.dps >= dps_for_level(level) and sample.config.m == m >= r == sample.config.r


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), r=st.integers(2, 4), d=st.integers(2, 5),
       Delta=st.floats(0.05, 0.6), w_min=st.floats(0.2, 1.0), spread=st.floats(1.0, 3.0))
def test_teachers_satisfy_assumptions_1_and_2(seed, r, d, Delta, w_min, spread):
    rng = np.random.default_rng(seed)
    w_max = w_min * spread
    try:
        T = separated_teachers(rng, r, d, Delta, w_min, w_max)
    except UsageError:
        reject()  # packing failed within the try budget: refused, never a wrong teacher set
    norms = np.linalg.norm(T, axis=1)
    assert np.all(norms >= w_min * (1 - 1e-12)) and np.all(norms <= w_max * (1 + 1e-12))
    for i in range(r):
        for j in range(i + 1, r):
            assert up_to_sign_angle(T[i], T[j]) >= Delta - 1e-12


def test_the_papers_own_eps0_is_reachable():
    """Three orthogonal unit teachers: eps0 ~ 6e-71 needs ~100 digits, chosen from the level."""
    eps0 = paper_eps0(mpmath.pi / 2, 1, 1, 3)
    assert 1e-72 < eps0 < 1e-69
    rng = np.random.default_rng(0)
    spec = random_spec(rng, 3, 5, 3, Delta=math.pi / 2, family="random")
    sample = configuration_at_level(spec, eps0)
    assert sample.dps >= 100
    assert _certified_relative_distance(sample.loss, eps0) < 1e-3


def test_claim2_family_is_the_degenerate_direction():
    """Along the Claim 2 path the loss grows like s^3 (not s^2): the sampler reaches the
    degenerate directions the contrast claims need."""
    rng = np.random.default_rng(3)
    spec = random_spec(rng, 1, 2, 2, family="claim2")
    scales = [mpmath.mpf(10) ** -k for k in range(2, 7)]
    with mpmath.workdps(60):
        losses = [evaluate(configuration_at_scale(spec, s), 60, gradient=False).loss for s in scales]
    fit = fit_exponent(scales, losses)
    assert abs(fit.slope - 3) < 0.02 and abs(fit.interval[0] - 3) < 0.02 and abs(fit.interval[1] - 3) < 0.02


def test_random_family_is_not_degenerate():
    rng = np.random.default_rng(4)
    spec = random_spec(rng, 2, 3, 3, family="random")
    scales = [mpmath.mpf(10) ** -k for k in range(2, 7)]
    with mpmath.workdps(60):
        losses = [evaluate(configuration_at_scale(spec, s), 60, gradient=False).loss for s in scales]
    assert abs(fit_exponent(scales, losses).slope - 2) < 0.05


@pytest.mark.parametrize("kwargs, needle", [
    (dict(r=2, m=1, d=2), "m = 1"),
    (dict(r=2, m=2, d=2, Delta=2.0), "Delta = 2.0"),
    (dict(r=2, m=2, d=2, w_min=2.0, w_max=1.0), "w_min = 2.0"),
    (dict(r=3, m=3, d=2, Delta=math.pi / 2), "r = 3 orthogonal teachers"),
])
def test_bad_sampler_arguments_name_the_field(kwargs, needle):
    with pytest.raises(UsageError, match=needle):
        random_spec(np.random.default_rng(0), **kwargs)


def test_unreachable_level_is_refused_not_misplaced():
    rng = np.random.default_rng(0)
    spec = random_spec(rng, 1, 1, 2, family="random")
    with pytest.raises(UsageError, match="outside the range"):
        configuration_at_level(spec, 1e6)
