"""The public Hypothesis strategies draw what they promise (tests/test_search.py uses them)."""
from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from numeric.precise import evaluate
from proofs_check.models.teacher_student.strategies import (configurations, degenerate_configurations, samples,
                                                          sublevel_specs, teachers)
from proofs_check.errors import UsageError
from proofs_check.models.teacher_student.samplers import FAMILIES, dps_for_level, up_to_sign_angle

FAST = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))


@FAST
@given(teachers(3, 4, Delta=0.6, w_min=0.8, w_max=1.2))
def test_teachers_are_separated_and_norm_bounded(T):
    assert len(T) == 3 and all(len(row) == 4 for row in T)
    for i, u in enumerate(T):
        assert 0.8 - 1e-12 <= math.sqrt(sum(x * x for x in u)) <= 1.2 + 1e-12
        for v in T[:i]:
            assert up_to_sign_angle(u, v) >= 0.6 - 1e-9


@FAST
@given(sublevel_specs(st.integers(1, 3), 5, 3))
def test_sublevel_specs_are_valid(spec):
    assert spec.family in FAMILIES and spec.m == 5
    for i in range(spec.r):
        group = [p for p, a in zip(spec.shares, spec.assignment) if a == i]
        assert group and abs(sum(group) - 1) < 1e-12
    if spec.family == "stray":
        assert -1 in spec.assignment


@FAST
@given(samples(r=2, m=3, d=3, max_loss=1e-6))
def test_samples_lie_in_the_sublevel_set(sample):
    loss = evaluate(sample.config, sample.dps, backend="arb").loss
    assert loss < 1e-6 and loss > 1e-9 * 0.99  # levels >= 0.999e-9, placed to 1e-4


@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
@given(configurations(r=3, m=5, d=4, max_loss=1e-6))
def test_readme_example(config):
    assert config.r == 3 and config.m == 5 and config.d == 4
    assert evaluate(config, dps_for_level(1e-9), backend="arb").loss < 1e-6


@FAST
@given(degenerate_configurations(r=1, m=3, d=2, max_loss=1e-4, as_samples=True))
def test_degenerate_configurations(sample):
    spec = sample.spec
    degenerate = spec.family in ("claim2", "stray") or min(spec.shares) <= 1e-2 + 1e-12 or len(
        set(spec.assignment)) < len(spec.assignment)
    assert degenerate
    assert sample.loss < 1e-4


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_bad_arguments_name_the_field():
    with pytest.raises(UsageError, match="w_min"):
        teachers(2, 3, w_min=2, w_max=1).example()
    with pytest.raises(UsageError, match="need m >= r"):
        sublevel_specs(3, 2, 3).example()
    with pytest.raises(UsageError, match="max_loss"):
        configurations(max_loss=-1).example()


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(samples(r=1, m=3, d=2, max_loss=1e-6, families=("stray",), relax=True))
def test_relaxed_samples_are_in_the_sublevel_set(sample):
    # Relaxed or not, the drawn configuration is placed at its level (ball at more digits).
    L = evaluate(sample.config, sample.dps + 10, gradient=False).loss
    assert L < 1.001e-6 and sample.spec.family == "stray"


# ---- what `proofs-check search` draws: the harder classes are actually drawn ---------------

def _drawn(condition, shapes=((2, 3, 3),)):
    """The first :func:`search_samples` draw (seeded, no database) that meets ``condition``;
    ``hypothesis.find`` raises ``NoSuchExample`` if none of 300 draws does."""
    import random

    from hypothesis import find

    from proofs_check.models.teacher_student.strategies import search_samples

    return find(search_samples(shapes, max_loss=1e-4), condition,
                settings=settings(max_examples=300, database=None, deadline=None, phases=[Phase.generate],
                                  suppress_health_check=list(HealthCheck)),
                random=random.Random(0))


def _norms(config):
    return [math.sqrt(sum(float(x) ** 2 for x in row)) for row in config.teacher]


def test_search_draws_wide_students():
    s = _drawn(lambda s: s.config.m >= 4 * s.config.r + 1, shapes=((1, 2, 2), (2, 3, 3)))
    assert s.config.m <= 8 * s.config.r


def test_search_draws_small_separation():
    s = _drawn(lambda s: up_to_sign_angle(*s.config.teacher[:2]) < 0.2)
    assert up_to_sign_angle(*s.config.teacher[:2]) >= 0.1 * (1 - 1e-9)


def test_search_draws_unequal_teacher_norms():
    s = _drawn(lambda s: max(_norms(s.config)) > 3 * min(_norms(s.config)))
    assert 0.25 - 1e-12 <= min(_norms(s.config)) and max(_norms(s.config)) <= 2 + 1e-12


def test_search_draws_relaxed_specs():
    s = _drawn(lambda s: s.spec.relaxed)
    L = evaluate(s.config, s.dps + 10, gradient=False).loss
    assert L < 1.001e-4


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_search_samples_without_harder_keep_the_claims_class(data):
    from proofs_check.models.teacher_student.strategies import search_samples

    s = data.draw(search_samples(((2, 3, 3),), max_loss=1e-4, harder=False))
    assert s.config.m == 3 and not s.spec.relaxed
    assert all(0.8 - 1e-12 <= n <= 1.2 + 1e-12 for n in _norms(s.config))
    assert up_to_sign_angle(*s.config.teacher[:2]) >= 0.5 - 1e-9
