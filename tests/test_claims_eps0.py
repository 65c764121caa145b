"""Claim zgj.eps0 (Zhou, Ge, Jin, Theorems 4-5 and the proof of Lemma 8) and its planted twins.

The observations of one small run (two orthogonal unit teachers) are judged under several
claimed thresholds: the judgement is a pure function of the observations and the claim.
"""
from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from proofs_check.claims.zgj.eps0 import EPS0, _judge, paper_eps0
from symbolic.stationary_points import orthogonal_teacher_points

SMALL = {"orthogonal_r": (2,), "separated": False, "hunt_starts": 30, "levels": (1e-6, 1e-2),
         "upper_fractions": (0.5, 0.9), "eps0_samples": 1}


def eps0_just_above_upper():
    # A threshold one part in a million above the lowest certified spurious stationary point.
    return EPS0.variant(settings={**SMALL, "eps0_over_upper": "1.000001"}, expected="refuted")


TWINS = {"zgj.eps0": [eps0_just_above_upper]}


@pytest.fixture(scope="module")
def small_run():
    claim = EPS0.variant(settings=SMALL)
    return claim, claim.observations(seed=0)


def test_paper_eps0_value():
    assert abs(float(mpmath.log10(paper_eps0(mpmath.pi / 2, 1, 1, 3))) + 70.23) < 0.01


def test_paper_threshold_is_consistent_and_bracketed(small_run):
    claim, obs = small_run
    v = _judge(claim, obs)
    assert v.status == "consistent", v.notes
    (row,) = v.figures["threshold"]["thresholds"]
    lower, upper, paper = (mpmath.mpf(row[k]) for k in ("lower", "upper", "paper_eps0"))
    assert paper < lower < upper
    # The upper bound is the closed-form "both bisectors" point (SymPy), to its digits.
    both = {p.name: p for p in orthogonal_teacher_points(2)}["both bisectors"]
    assert abs(upper - mpmath.mpf(str(sp.N(both.loss, 30)))) < mpmath.mpf(10) ** -18
    fig = v.figures["threshold"]
    assert len(fig["paper_eps0"]) == len(fig["empirical"]) == len(fig["labels"]) == len(fig["lower"])


def test_threshold_just_above_the_stationary_point_is_refuted_by_it(small_run):
    claim, obs = small_run
    v = _judge(claim.variant(settings={"eps0_over_upper": "1.000001"}), obs)
    assert v.status == "refuted"
    assert v.counterexample["kind"] == "stationary"


def test_threshold_just_below_the_stationary_point_is_not_refuted_by_it(small_run):
    claim, obs = small_run
    v = _judge(claim.variant(settings={"eps0_over_upper": "0.999999"}), obs)
    # It is false too (the optimiser finds ||grad L|| < kappa L below it), but the
    # stationary point, whose loss is certainly above it, must not be the witness.
    assert v.counterexample is None or v.counterexample["kind"] != "stationary"


def test_threshold_below_the_lower_bound_is_consistent(small_run):
    claim, obs = small_run
    row = _judge(claim, obs).figures["threshold"]["thresholds"][0]
    factor = mpmath.mpf(row["lower"]) / mpmath.mpf(row["upper"]) / 2
    v = _judge(claim.variant(settings={"eps0_over_upper": mpmath.nstr(factor, 10)}), obs)
    assert v.status == "consistent", v.notes


def test_a_larger_kappa_is_refuted_at_the_optimisers_worst_case(small_run):
    claim, obs = small_run
    # kappa 10^4 times larger makes the optimiser's worst case at 1e-6 a violation; with
    # eps0 moved above that level it must be refuted by that configuration.
    scaled = [type(o)(lhs=o.lhs, rhs=o.rhs * 10**4, scale=o.scale, dps=o.dps, group=o.group,
                      witness=o.witness) for o in obs]
    v = _judge(claim.variant(settings={"eps0_over_upper": "0.5"}), scaled)
    assert v.status == "refuted" and v.counterexample["kind"] in ("optimiser", "eps0")
