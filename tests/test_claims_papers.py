"""Claims of the neighbouring papers (Du et al.; Liu, Zhu, Belkin; Safran and Shamir) and
their twins near the boundary of each statement: each twin states the status it must get
(``TWINS``, read by tests/test_registry.py)."""
from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pytest

from proofs_check.registry import get_claim
from proofs_check.claims.du.gd_rate import GD_RATE, theory_width
from proofs_check.claims.du.gram import GRAM
from proofs_check.claims.du.lambda0 import LAMBDA0, UNIFORM
from proofs_check.claims.lzb.identity import BOUND, IDENTITY
from proofs_check.claims.lzb.wide_pl import WIDE_PL
from proofs_check.claims.ss.spurious_minima import SPURIOUS_MINIMA


# ---- planted false twins (must be rejected) ------------------------------------------------

def gram_two_percent_high():
    """H_inf scaled by 1.02: a 2% error in the derived kernel."""
    return GRAM.variant(settings={"scale": Fraction(51, 50)}, expected="contradicted")


def lambda0_above_the_two_point_eigenvalue():
    """lambda0 >= 1.1 theta_min / (2 pi): false, lambda0 = theta_min/(2 pi) (1 + O(theta))."""
    return LAMBDA0.variant(constant=Fraction(11, 10), expected="refuted")


def lambda0_uniform_with_exponent_half():
    """The contrast twin of the uniform bound: lambda0 >= c theta_min^(1/2) is false too."""
    return UNIFORM.variant(paper_exponent=Fraction(1, 2), expected="contradicted")


def gd_rate_faster_than_the_slowest_mode():
    """Rate 1 - (9/4) eta lambda0: the slowest mode decays like (1 - eta lambda0)^(2k)."""
    return GD_RATE.variant(settings={"rate_factor": Fraction(9, 4)}, default_samples=3,
                           expected="contradicted")


def identity_with_shifted_kernel():
    """K + 1e-8 I in place of K."""
    return IDENTITY.variant(settings={"kernel_shift": Fraction(1, 10**8)}, expected="refuted")


def bound_factor_just_above_two():
    """|grad L|^2 >= 2.1 lambda_min(K) L: false when the residual is near the bottom eigenvector."""
    return BOUND.variant(settings={"factor": Fraction(21, 10)}, expected="refuted")


def wide_pl_above_lambda0():
    """min_k lambda_min(K(W(k))) >= 1.1 lambda0: false, K(W(0)) -> H_inf."""
    return WIDE_PL.variant(settings={"factor": Fraction(11, 10)}, default_samples=3,
                           expected="contradicted")


def spurious_minima_survive_one_more_neuron():
    """The k = n minima are local minima with k = n + 1 too: refuted by a certified escape."""
    return SPURIOUS_MINIMA.variant(settings={"extra_neurons": 1, "sizes": (8,)}, expected="refuted")


def n6_minimum_curvature_two_percent_high():
    """At n = 6 the lowest spurious minimum's Hessian has lambda_min >= 0.0048: false, the
    certified value is 0.0047003... (2% below)."""
    return SPURIOUS_MINIMA.variant(settings={"sizes": (6,), "curvature_floor": Fraction(48, 10000)},
                                   default_samples=1, expected="refuted")


# ---- the accepted twin of the contrast claim -------------------------------------------------

def lambda0_linear_in_the_smallest_angle():
    """lambda0 >= c theta_min^(1 + 2 resolution): two resolutions above the exponent 1 the
    contrast finds (exponent 1 itself is the boundary: lambda0 = theta_min/(2 pi) (1 + O(theta)),
    so an interval around 1 is rightly inconclusive)."""
    return UNIFORM.variant(paper_exponent=Fraction(1) + 2 * Fraction(UNIFORM.fit.resolution).limit_denominator(1000),
                           expected="consistent")


TWINS = {
    "du.gram": [gram_two_percent_high],
    "du.lambda0": [lambda0_above_the_two_point_eigenvalue],
    "du.lambda0.parallel": [lambda0_linear_in_the_smallest_angle, lambda0_uniform_with_exponent_half],
    "du.gd_rate": [gd_rate_faster_than_the_slowest_mode],
    "lzb.identity": [identity_with_shifted_kernel],
    "lzb.identity.bound": [bound_factor_just_above_two],
    "lzb.wide_pl": [wide_pl_above_lambda0],
    "ss.spurious_minima": [spurious_minima_survive_one_more_neuron, n6_minimum_curvature_two_percent_high],
}


# ---- fast checks ---------------------------------------------------------------------------

@pytest.mark.parametrize("claim_id", ["du.gram", "du.lambda0", "lzb.identity", "lzb.identity.bound"])
def test_fast_claims_match_their_expectation(claim_id):
    claim = get_claim(claim_id)
    v = claim.check(samples=min(claim.default_samples, 6))
    assert v.status == claim.expected, v.shown


@pytest.mark.parametrize("maker", [gram_two_percent_high, lambda0_above_the_two_point_eigenvalue,
                                   identity_with_shifted_kernel, bound_factor_just_above_two])
def test_fast_planted_twins_are_refuted(maker):
    twin = maker()
    v = twin.check()
    assert v.status == twin.expected and v.counterexample, v.shown


def test_lambda0_tends_to_zero_linearly_in_the_smallest_angle():
    v = UNIFORM.check()
    assert v.status == "contradicted" and v.kind == "empirical"
    lo, hi = v.estimate.exponent_ci
    assert lo <= 1 <= hi + 0.02
    linear = lambda0_linear_in_the_smallest_angle().check()
    assert linear.status == "consistent"
    # The constant: lambda0 / theta_min -> 1/(2 pi) as theta -> 0 (the smallest angle sampled).
    smallest = min(UNIFORM.observations(), key=lambda o: float(o.scale.mid()))
    assert float((smallest.lhs / smallest.scale).mid()) == pytest.approx(1 / (2 * np.pi), rel=1e-6)


def test_theory_width_is_the_theorem_formula():
    assert theory_width(6, 0.1, 0.1) == pytest.approx(6**6 / (1e-4 * 1e-3))


@pytest.mark.slow
def test_gd_rate_and_wide_pl_and_their_twins():
    for claim, twin in ((GD_RATE, gd_rate_faster_than_the_slowest_mode), (WIDE_PL, wide_pl_above_lambda0)):
        v = claim.check(samples=3)
        assert v.status == "consistent" and v.kind == "empirical", v.shown
        assert twin().check().status == "contradicted"
    fig = GD_RATE.check(samples=3).figures["du.gd_rate"]
    assert fig["measured_width"] is not None and fig["measured_width"] < fig["theory_width"]


@pytest.mark.slow
def test_spurious_minimum_at_n8_is_proved_and_escapes_with_one_more_neuron():
    v = SPURIOUS_MINIMA.variant(settings={"sizes": (8,)}).check(samples=2)
    assert v.status == "proved" and v.kind == "proved", v.shown
    row = v.figures["ss.spurious_minima"]["rows"][0]
    assert row["escape"].startswith("-") and float(row["loss_after_escape"]) < 1e-8
    assert spurious_minima_survive_one_more_neuron().check(samples=2).status == "refuted"


def test_n6_minimum_from_the_shared_hunt_and_its_planted_twins():
    """k = n = 6: the shared hunt's structured start reaches a spurious minimum, certified;
    a curvature bound 2% above the certified one and "still a minimum with one more neuron"
    are refuted, a bound 2% below it is proved."""
    v = SPURIOUS_MINIMA.variant(settings={"sizes": (6,)}).check(samples=1)
    assert v.status == "proved" and v.kind == "proved", v.shown
    row = v.figures["ss.spurious_minima"]["rows"][0]
    assert row["loss"].startswith("0.02508058") and row["escape"].startswith("-")
    assert n6_minimum_curvature_two_percent_high().check().status == "refuted"
    below = SPURIOUS_MINIMA.variant(settings={"sizes": (6,), "curvature_floor": Fraction(46, 10000)})
    assert below.check(samples=1).status == "proved"
    escape = SPURIOUS_MINIMA.variant(settings={"sizes": (6,), "extra_neurons": 1})
    assert escape.check(samples=1).status == "refuted"


@pytest.mark.slow
def test_the_hunt_itself_finds_and_certifies_a_spurious_minimum_at_n9():
    """From random starts: 12 starts at n = 9 (about 30% of runs end at a spurious minimum
    here), the structured start left out."""
    from proofs_check.models.relu_unit_output.escape import escape_from_minimum
    from proofs_check.models.relu_unit_output.hunt import RELU_UNIT_OUTPUT_HUNT
    from proofs_check.claims.ss.spurious_minima import spurious_minima
    from proofs_check.landscape import HuntSettings, hunt_generic
    from numeric.safran_shamir import SafranShamirModel

    model = SafranShamirModel.orthonormal(9, 9)
    randoms = [s for s in RELU_UNIT_OUTPUT_HUNT.starts(model, 13, 0) if s[0] == "random"]
    assert len(randoms) == 12
    settings = HuntSettings(students=9, starts=1, seed=0, dps=30, activation="relu", hops=0)
    only_random = dataclasses.replace(RELU_UNIT_OUTPUT_HUNT, starts=lambda model, count, seed: [])
    landscape = hunt_generic(only_random, np.eye(9, dtype=int).tolist(), settings, extra_starts=randoms)
    minima = spurious_minima(landscape)
    assert minima and sum(p.hits for p in minima) >= 1
    best = minima[0]
    assert best.loss > 0 and best.min_eigenvalue > 0
    assert escape_from_minimum(model, best, np.random.default_rng(0), 30).escape < 0
