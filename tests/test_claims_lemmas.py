"""Lemmas 8-12, C.3, C.5, C.6 of Zhou, Ge, Jin: the true claims, their planted twins, and numbers."""
from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from numeric.config import Configuration
from numeric.float64 import loss
from proofs_check.judgement import REJECTED
from proofs_check.claims.zgj.lemma8 import LEMMA8
from proofs_check.claims.zgj.lemma9 import LEMMA9, LEMMA9_TIGHT
from proofs_check.claims.zgj.lemma10 import LEMMA10
from proofs_check.claims.zgj.lemma11 import LEMMA11, LEMMA11_TIGHT, teachers_with_separation
from proofs_check.claims.zgj.lemma12 import LEMMA12
from proofs_check.claims.zgj.lemmaC3 import LEMMAC3
from proofs_check.claims.zgj.lemmaC5 import LEMMAC5, largest_mass_at_loss
from proofs_check.claims.zgj.lemmaC6 import LEMMAC6, pure_stray_configuration, hermite_norm_table


# ---- twins (each carries the status the checker must give it) ----------------------------

def lemma8_constant_too_large():
    """Lemma 8 with 5/2 L on the right: the left side is ~ 2L (= ||R||^2 + small)."""
    return LEMMA8.variant(constant=Fraction(5, 2), expected="refuted")


def lemma8_delta_max_too_small():
    """Lemma 8 with C = 1/100 in delta_max: T_i(delta_max) empties (Lemma 9's hypothesis
    dropped), q_ij = 0 for that teacher, and the pairing goes negative."""
    return LEMMA8.variant(settings={"C": Fraction(1, 100)}, expected="refuted")


def lemma9_exponent_too_strong():
    """Lemma 9 with delta_max ~ eps^{1/2}: Claim 2's pairs need eps^{1/3}."""
    return LEMMA9.variant(paper_exponent=Fraction(1, 2), expected="contradicted")


def lemma9_exponent_036():
    """Lemma 9 with eps^{0.36} (a reviewer's near restatement): false, the exponent 1/3 is tight."""
    return LEMMA9.variant(paper_exponent=Fraction(36, 100), expected="contradicted")


def lemma9_tight_above():
    return LEMMA9_TIGHT.variant(paper_exponent=Fraction(1, 3) + Fraction(2, 100), expected="contradicted")


def lemma9_tight_below():
    return LEMMA9_TIGHT.variant(paper_exponent=Fraction(1, 3) - Fraction(2, 100), expected="contradicted")


def lemma9_exponent_just_weaker():
    """Lemma 9 with eps^{1/3 - 0.02}: two resolutions on the weak side of the paper's 1/3, true
    (a larger delta_max) and accepted: the checker tells the paper's exponent from both neighbours."""
    return LEMMA9.variant(paper_exponent=Fraction(1, 3) - Fraction(2, 100), expected="consistent")


def lemma11_exponent_just_weaker():
    """Lemma 11 with Delta^{3.02}: a weaker lower bound than the paper's Delta^3, accepted."""
    return LEMMA11.variant(paper_exponent=Fraction(302, 100), expected="consistent")


def lemma10_exponent_too_strong():
    """Lemma 10 with ||v_i|| <= eps^{3/4}: the maximisers give ||v|| ~ eps^{1/2}."""
    return LEMMA10.variant(paper_exponent=Fraction(3, 4), expected="contradicted")


def lemma10_exponent_just_too_strong():
    """Lemma 10 with eps^{0.52}: two resolutions above the maximisers' 1/2."""
    return LEMMA10.variant(paper_exponent=Fraction(52, 100), expected="contradicted")


def lemma11_exponent_too_strong():
    """Lemma 11 with Delta^2: two teachers at angle Delta give lambda_min ~ Delta^3 / (3 pi)."""
    return LEMMA11.variant(paper_exponent=Fraction(2), expected="contradicted")


def lemma11_exponent_296():
    """Lemma 11 with Delta^{2.96} (a reviewer's near restatement): false, 3 is attained."""
    return LEMMA11.variant(paper_exponent=Fraction(296, 100), expected="contradicted")


def lemma11_tight_above():
    return LEMMA11_TIGHT.variant(paper_exponent=Fraction(302, 100), expected="contradicted")


def lemma11_tight_below():
    return LEMMA11_TIGHT.variant(paper_exponent=Fraction(298, 100), expected="contradicted")


def lemma12_exponent_too_strong():
    """Lemma 12 with eps^{6/5}: the maximisers give ||R_2||^2 ~ eps."""
    return LEMMA12.variant(paper_exponent=Fraction(6, 5), expected="contradicted")


def lemma12_exponent_just_too_strong():
    """Lemma 12 with eps^{1.02}: two resolutions above the maximisers' 1."""
    return LEMMA12.variant(paper_exponent=Fraction(102, 100), expected="contradicted")


def c3_r1_nonnegative():
    """R_1(x) >= 0 pointwise: false (R_1 changes sign unless v_i is a non-negative multiple of w*_i)."""
    return LEMMAC3.variant(settings={"quantity": "R1"}, title="R_1 is pointwise non-negative (planted)",
                           expected="refuted")


def c5_constant_halved():
    """Lemma C.5's explicit bound with sqrt(pi L) / 2: false at the largest-mass draws."""
    return LEMMAC5.variant(settings={"c": Fraction(1, 2)}, expected="refuted")


def c6_exponent_too_strong():
    """Lemma C.6 with eps^{3/4}: a stray student next to aligned groups gives exactly eps^{1/2}."""
    return LEMMAC6.variant(paper_exponent=Fraction(3, 4), expected="contradicted")


def c6_exponent_just_too_strong():
    """Lemma C.6 with eps^{0.54}: two resolutions above the attained 1/2."""
    return LEMMAC6.variant(paper_exponent=Fraction(54, 100), expected="contradicted")


def c6_exponent_just_weaker():
    """Lemma C.6 with eps^{0.48}: two resolutions on the weak side of the paper's 1/2, accepted."""
    return LEMMAC6.variant(paper_exponent=Fraction(48, 100), expected="consistent")


TWINS = {
    "zgj.lemma8": [lemma8_constant_too_large, lemma8_delta_max_too_small],
    "zgj.lemma9": [lemma9_exponent_too_strong, lemma9_exponent_036, lemma9_exponent_just_weaker],
    "zgj.lemma9.tight": [lemma9_tight_above, lemma9_tight_below],
    "zgj.lemma10": [lemma10_exponent_too_strong, lemma10_exponent_just_too_strong],
    "zgj.lemma11": [lemma11_exponent_too_strong, lemma11_exponent_296, lemma11_exponent_just_weaker],
    "zgj.lemma11.tight": [lemma11_tight_above, lemma11_tight_below],
    "zgj.lemma12": [lemma12_exponent_too_strong, lemma12_exponent_just_too_strong],
    "zgj.lemmaC3": [c3_r1_nonnegative],
    "zgj.lemmaC5": [c5_constant_halved],
    "zgj.lemmaC6": [c6_exponent_too_strong, c6_exponent_just_too_strong, c6_exponent_just_weaker],
}

CLAIMS = {c.id: c for c in (LEMMA8, LEMMA9, LEMMA9_TIGHT, LEMMA10, LEMMA11, LEMMA11_TIGHT, LEMMA12,
                            LEMMAC3, LEMMAC5, LEMMAC6)}


# ---- registered claims and twins: the expected status --------------------------------------

@pytest.mark.parametrize("claim_id", sorted(CLAIMS))
def test_claim_gives_its_expected_status(claim_id):
    claim = CLAIMS[claim_id]
    v = claim.check(seed=0)
    assert v.status == claim.expected, v.shown
    assert v.counterexample is None


@pytest.mark.parametrize("claim_id,twin", [(k, t) for k, ts in TWINS.items() for t in ts])
def test_twin_gives_its_expected_status(claim_id, twin):
    claim = twin()
    assert claim.id == claim_id
    v = claim.check(seed=0)
    assert v.status == claim.expected, v.shown
    if v.status in REJECTED:
        assert v.counterexample


# ---- claim-specific checks ---------------------------------------------------------------

def test_lemma8_ratio_near_two_and_levels_reported():
    """lhs = ||R||^2 + E[R I_1] ~ 2L, at sampled points and at Theorem 4's worst cases down to
    1e-60; the notes report the levels outside the hypothesis region."""
    v = LEMMA8.check(seed=0)
    assert "outside it" in v.notes and "all of T_i" in v.notes
    assert 0.9 < float(mpmath.mpf(v.estimate.constant)) / 2 < 1.01
    deep = [o for o in LEMMA8.observations(seed=0) if o.group is not None and o.group <= 1e-59]
    assert len(deep) == 2 and all(o.witness["origin"].startswith("continued") for o in deep)
    assert all(abs(float((o.lhs / o.rhs).mid()) - 2) < 1e-3 for o in deep)


def test_lemma11_figure_and_exponent():
    v = LEMMA11.check()
    fig = v.figures["lambda_min_M"]
    assert fig["r"] == 2 and len(fig["delta"]) == len(fig["lambda_min"])
    assert abs(v.estimate.exponent - 3) < 0.02
    # the closed form (2/pi)(D - sin D) at the smallest Delta
    D = float(fig["delta"][-1])
    assert abs(float(fig["lambda_min"][-1]) / (2 / math.pi * (D - math.sin(D))) - 1) < 1e-6


def test_lemma11_teachers_have_the_separation():
    from proofs_check.models.teacher_student.samplers import up_to_sign_angle

    rng = np.random.default_rng(0)
    for layout in ("pair", "fan"):
        T = teachers_with_separation(rng, 3, 0.1, layout)
        angles = [up_to_sign_angle(T[i], T[k]) for i in range(3) for k in range(i + 1, 3)]
        assert abs(min(angles) - 0.1) < 1e-9


def test_c3_probes_reach_the_wedges():
    """Some probe points have R_2 > 0 (inside the sign-disagreement wedges), none below 0."""
    from numeric.decomposition import decompose, r2_at
    from proofs_check.claims.zgj.lemmaC3 import probe_points

    config = Configuration([[1, 0, 0], [0, 1, 0]], [["0.99", "0.1", "0.05"], ["0.05", "-1", "0.1"]])
    dec = decompose(config, 30)
    values = [r2_at(dec, x) for x in probe_points(np.random.default_rng(0), dec, 4)]
    assert all(v >= 0 for v in values) and any(v > 0 for v in values)


def test_c5_largest_mass_hits_the_loss():
    rng = np.random.default_rng(1)
    T = rng.normal(size=(2, 3)).tolist()
    W = rng.normal(size=(3, 3)).tolist()
    gamma, mass = largest_mass_at_loss(T, W, Fraction(3))
    g = float(gamma.mid())
    scaled = (np.array(W) * math.sqrt(g)).tolist()  # u -> g u  <=>  w -> sqrt(g) w
    assert abs(loss(T, scaled) - 3) < 1e-9
    assert abs(float(mass.mid()) - g * sum(np.sum(np.array(W) ** 2, axis=1))) < 1e-9


def test_c6_pure_stray_loss_and_test_function_growth():
    from numeric.precise import evaluate

    config = pure_stray_configuration([[1, 0, 0], [0, "0.9", 0]], [0, 0, 1], Fraction(1, 10**6), 40)
    L = evaluate(config, 40, gradient=False).loss
    assert abs(float(L.mid()) / 1e-6 - 1) < 1e-12  # L = s^4 / 2 exactly (up to rounding w)
    table = hermite_norm_table(rs=(2, 4), eps=(1e-2, 1e-8))
    h2 = [float(h) for _, _, h in table[2]]
    assert h2[1] > 5 * h2[0]  # ||h|| grows as eps -> 0: not O(1)
    assert abs(float(table[4][0][2]) / h2[0] - math.sqrt(2)) < 1e-3  # and like sqrt(r)


# ---- worst cases found by optimisation, not sampled ----------------------------------------

@pytest.mark.parametrize("claim", [LEMMA9, LEMMA10, LEMMA12, LEMMAC6], ids=lambda c: c.id)
def test_worst_cases_are_optimised_over_twelve_decades(claim):
    """The observations are the optimiser's worst cases (not samples) at 13 levels 1e-2 ...
    1e-14, and the deepest one gives the same constant at two precisions."""
    from proofs_check.claims.zgj.worst_cases import binding_per_level

    obs = claim.observations()
    levels = sorted({float(o.scale.mid()) for o in binding_per_level(claim, obs)})
    assert len(levels) >= 13 and levels[-1] / levels[0] > 1e11
    assert all(o.witness["origin"] in ("sampler", "relaxed", "continued") for o in obs)
    deepest = claim.judge(claim, obs).figures[f"{claim.id}.worst_case"]["deepest"]
    assert deepest["C"] == deepest["C_2x"]


@pytest.mark.parametrize("claim", [LEMMA9, LEMMA10, LEMMA12, LEMMAC6], ids=lambda c: c.id)
def test_the_optimiser_beats_sampling_at_every_level(claim):
    """At each of the sampled levels the optimised worst case (largest ``lhs / rhs``) is at
    least as bad as the worst of the plain samples (the claim observed with
    ``optimise=False`` on the same shapes)."""
    from proofs_check.verdict import ratio
    from proofs_check.claims.zgj.worst_cases import binding_per_level

    optimised = {round(math.log10(float(o.scale.mid()))): float(ratio(o).mid())
                 for o in binding_per_level(claim, claim.observations())}
    sampled = claim.variant(settings={"optimise": False, "levels": (1e-2, 1e-4, 1e-6),
                                      "shapes": claim.settings.worst_case_shapes[:2]})
    worst_sampled = {round(math.log10(float(o.scale.mid()))): float(ratio(o).mid())
                     for o in binding_per_level(sampled, sampled.observations(24))}
    for k, value in worst_sampled.items():
        assert optimised[k] >= value, (k, optimised[k], value)


def test_c6_exact_law_of_the_pure_stray_is_fitted_to_1e3():
    """The pure stray has ``lhs = sqrt(2 L) (pi/2)^2`` exactly (a student orthogonal to both
    teachers, ``||w||^2 = (2L)^(1/2)``): the fit recovers the exponent 1/2 to 1e-3."""
    from proofs_check.exponent_fit import fit_exponent

    levels = [Fraction(1, 10**k) for k in range(2, 15)]
    obs = [LEMMAC6.observe_at(pure_stray_configuration([[1, 0, 0], [0, "0.9", 0]], [0, 0, 1], lv, 50), 50)
           for lv in levels]
    fit = fit_exponent([o.scale for o in obs], [o.lhs for o in obs])
    assert abs(fit.slope - 0.5) < 1e-3 and max(abs(x - 0.5) for x in fit.interval) < 1e-3
    assert abs(float(obs[-1].lhs.mid()) / math.sqrt(2e-14) / (math.pi / 2) ** 2 - 1) < 1e-6


def test_a_claim_and_its_twins_share_one_ladder_of_worst_cases():
    """At a fixed level the right side's ``L^alpha`` is a constant, so the optimiser's target
    does not depend on the exponent: twins and ``.tight`` variants reuse the claim's ladder;
    the direction (largest for upper bounds) is kept."""
    from proofs_check.models.teacher_student.levels import margin_objective

    assert margin_objective(LEMMA10) == margin_objective(lemma10_exponent_just_too_strong())
    assert margin_objective(LEMMA9) == margin_objective(LEMMA9_TIGHT)
    assert hash(margin_objective(LEMMA9)) == hash(margin_objective(lemma9_tight_below()))
    assert margin_objective(LEMMA12).relation == "<="
    assert margin_objective(LEMMA10) != margin_objective(LEMMA12)  # another left side
