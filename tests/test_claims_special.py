"""Special-function claims of Zhou, Ge, Jin: Lemmas C.7, C.8, C.11, D.2 and their planted twins."""
from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest


from proofs_check.verdict import as_ball

from proofs_check.claims.zgj.lemmaC7 import LEMMA_C7, slab_probability
from proofs_check.claims.zgj.lemmaC8 import (LEMMA_C8, largest_square_side, owen_inequality_gradient,
                                             owen_inequality_lhs, owen_limit_phi0, owen_t_cot)
from proofs_check.claims.zgj.lemmaC11 import (LEMMA_C11, LEMMA_C11_DECAY, hermite_coefficient_closed_form,
                                              hermite_coefficient_quadrature, hermite_coefficient_squared)
from proofs_check.claims.zgj.lemmaD2 import (LEMMA_D2, LEMMA_D2_SHAPE, closed_form,
                                             disagreement_second_moment)

#: A small square whose proof takes ~100 boxes (the default square is checked by the slow tests).
FAST_C8 = {"c": Fraction(1, 4), "eps": Fraction(1, 10)}


def _c_hat():
    return Fraction(str(largest_square_side().mid().str(18, radius=False)))


def _mpf(x):
    """An mpf at the current mpmath precision from a Fraction or an arb ball's midpoint."""
    if isinstance(x, Fraction):
        return mpmath.mpf(x.numerator) / x.denominator
    return mpmath.mpf(x.mid().str(mpmath.mp.dps + 5, radius=False))


# ---- twins (each carries the status the checker must give it) ----------------------------

def c8_square_too_large():
    """Lemma C.8 claimed on [eps, 2 c_hat]^2: false (f > 0 near (1, 0.8))."""
    return LEMMA_C8.variant(settings={"c": 2 * _c_hat()}, expected="refuted")


def c8_square_a_millionth_too_large():
    """Lemma C.8 on [eps, c_hat (1 + 1e-6)]^2: false at the corner, f(c, c) > 0 for c > c_hat."""
    return LEMMA_C8.variant(settings={"c": _c_hat() * (1 + Fraction(1, 10**6))}, expected="refuted")


def d2_half_constant():
    """Lemma D.2 with 1/(2 pi) instead of 1/pi."""
    return LEMMA_D2.variant(settings={"denominator": 2}, expected="refuted")


def d2_shape_quadratic():
    """Theta(phi^2) instead of Theta(phi^3)."""
    return LEMMA_D2_SHAPE.variant(paper_exponent=Fraction(2), expected="contradicted")


def d2_shape_above():
    """Theta(phi^3.02): two resolutions above the true exponent."""
    return LEMMA_D2_SHAPE.variant(paper_exponent=Fraction(302, 100), expected="contradicted")


def d2_shape_below():
    """Theta(phi^2.98): two resolutions below."""
    return LEMMA_D2_SHAPE.variant(paper_exponent=Fraction(298, 100), expected="contradicted")


def c11_wrong_double_factorial():
    """Lemma C.11 with (k-1)!! instead of (k-3)!! for k >= 4."""
    return LEMMA_C11.variant(settings={"shift": 1}, expected="refuted")


def c7_upper_constant_too_small():
    """Upper bound 0.99 sqrt(2/pi) delta: false for small delta."""
    return LEMMA_C7.variant(settings={"upper_factor": Fraction(99, 100)}, expected="refuted")


def c7_upper_constant_a_millionth_too_small():
    """Upper bound (1 - 1e-6) sqrt(2/pi) delta: the constant is sharp as delta -> 0
    (Pr = sqrt(2/pi) delta (1 - delta^2/6 + ...)), so delta <= 1e-3 refutes it."""
    return LEMMA_C7.variant(settings={"upper_factor": 1 - Fraction(1, 10**6)}, expected="refuted")


def c7_lower_without_gaussian_factor():
    """Lower bound sqrt(2/pi) delta (the e^{-delta^2/2} dropped): false for every delta > 0."""
    return LEMMA_C7.variant(settings={"lower_gaussian_factor": False}, expected="refuted")


def c11_decay_quarter():
    """The decay claim is false as printed; a twin with exponent 1/2 is false too."""
    return LEMMA_C11_DECAY.variant(paper_exponent=Fraction(1, 2), expected="contradicted")


def c11_decay_corrected():
    """The corrected rate sigma_hat_k^2 = Theta(k^{-5/2}) is consistent."""
    return LEMMA_C11_DECAY.variant(paper_exponent=Fraction(5, 2), expected="consistent")


def c11_decay_corrected_above():
    """Theta(k^{-2.54}): two resolutions (0.02) beyond the corrected rate."""
    return LEMMA_C11_DECAY.variant(paper_exponent=Fraction(254, 100), expected="contradicted")


TWINS = {
    "zgj.lemmaC8": [c8_square_too_large, c8_square_a_millionth_too_large],
    "zgj.lemmaD2": [d2_half_constant],
    "zgj.lemmaD2.shape": [d2_shape_quadratic, d2_shape_above, d2_shape_below],
    "zgj.lemmaC11": [c11_wrong_double_factorial],
    "zgj.lemmaC11.decay": [c11_decay_quarter, c11_decay_corrected, c11_decay_corrected_above],
    "zgj.lemmaC7": [c7_upper_constant_too_small, c7_upper_constant_a_millionth_too_small,
                    c7_lower_without_gaussian_factor],
}


# ---- Lemma C.8 --------------------------------------------------------------------------

def test_c8_proved_on_a_small_square_by_branch_and_bound():
    v = LEMMA_C8.variant(settings=FAST_C8).check()
    assert v.status == "proved" and v.kind == "proved"
    assert v.counterexample is None and "boxes certified" in v.notes


@pytest.mark.slow
def test_c8_proved_on_the_default_square():
    v = LEMMA_C8.check()
    assert v.status == "proved" == v.expected


def test_c8_budget_exhausted_is_inconclusive_never_proved():
    v = LEMMA_C8.variant(settings={**FAST_C8, "max_boxes": 3}).check()
    assert v.status == "inconclusive"


@pytest.mark.parametrize("twin", TWINS["zgj.lemmaC8"])
def test_c8_planted_twins_refuted(twin):
    v = twin().check()
    assert v.status == "refuted"
    p = v.counterexample["params"]
    assert owen_inequality_lhs(Fraction(p["tau"]), Fraction(p["phi"])) > 0


def test_c8_c_hat_certified_by_sign_change():
    c_hat = largest_square_side(40)
    assert c_hat.rad() < 1e-12
    mid = Fraction(c_hat.mid().str(30, radius=False))
    lo, hi = mid - Fraction(1, 10**12), mid + Fraction(1, 10**12)
    assert owen_inequality_lhs(lo, lo, 40) < 0 < owen_inequality_lhs(hi, hi, 40)


def test_c8_gradient_matches_central_differences():
    from numeric.subdivision import interval

    t0, p0, h = Fraction(3, 10), Fraction(2, 5), Fraction(1, 10**10)
    d_tau, d_phi = owen_inequality_gradient([interval(t0, t0), interval(p0, p0)])
    fd_tau = (owen_inequality_lhs(t0 + h, p0, 40) - owen_inequality_lhs(t0 - h, p0, 40)) / (2 * as_ball(h))
    fd_phi = (owen_inequality_lhs(t0, p0 + h, 40) - owen_inequality_lhs(t0, p0 - h, 40)) / (2 * as_ball(h))
    assert abs(float((d_tau - fd_tau).mid())) < 1e-12 and abs(float((d_phi - fd_phi).mid())) < 1e-12


def test_c8_zero_curve_starts_at_pi_over_6():
    tau = Fraction(1, 10**4)
    sixth = Fraction(str(mpmath.nstr(+mpmath.pi / 6, 15)))
    below, above = sixth - Fraction(1, 10**6), sixth + Fraction(1, 10**6)
    assert owen_inequality_lhs(tau, below, 40) < 0 < owen_inequality_lhs(tau, above, 40)


def test_owen_t_matches_direct_quadrature():
    """Owen's T from its definition (mpmath, t in [0, cot phi]) vs the certified theta form."""
    for tau, phi in [(Fraction(3, 10), Fraction(1, 5)), (Fraction(1), Fraction(7, 10)), (Fraction(1, 50), Fraction(1, 100))]:
        with mpmath.workdps(30):
            h, a = _mpf(tau), mpmath.cot(_mpf(phi))
            direct = mpmath.quad(lambda t: mpmath.exp(-h**2 * (1 + t**2) / 2) / (1 + t**2), [0, 1, a]) / (2 * mpmath.pi)
            ball = owen_t_cot(tau, phi)
            assert abs(direct - _mpf(ball)) < mpmath.mpf("1e-20")


def test_owen_t_phi_to_zero_limit():
    tau = Fraction(3, 10)
    lim = owen_limit_phi0(tau)
    near = owen_inequality_lhs(tau, Fraction(1, 10**8))
    assert abs(float((near - lim).mid())) < 1e-7
    assert lim < 0


# ---- Lemma D.2 --------------------------------------------------------------------------

def test_d2_identity_holds():
    v = LEMMA_D2.check()
    assert v.status == "proved" == v.expected and "SymPy" in v.shown
    assert "enclosures agree to" in v.shown  # the enclosures are reported beside the proof


def test_d2_exact_algebra_fails_on_a_wrong_closed_form_or_outside_its_range():
    from proofs_check.claims.zgj.lemmaD2 import exact_algebra

    assert exact_algebra(LEMMA_D2)
    assert exact_algebra(LEMMA_D2.variant(settings={"denominator": 2})) == ""
    beyond = LEMMA_D2.variant(settings={"angles": (Fraction(1, 2), Fraction(22, 7))})  # 22/7 > pi
    assert exact_algebra(beyond) == ""
    v = LEMMA_D2.variant(settings={"angles": (Fraction(22, 7),)}).check()
    assert v.status != "proved"  # a proof that does not cover the angle proves nothing there


def test_d2_half_constant_violated():
    v = d2_half_constant().check(samples=3)
    assert v.status == "refuted" and "phi" in v.counterexample["params"]


def test_d2_shape_and_leading_coefficient():
    v = LEMMA_D2_SHAPE.check()
    assert v.status == "consistent"
    assert abs(v.estimate.exponent - 3) < 0.01
    small = Fraction(1, 10**4)
    ratio = float((disagreement_second_moment(small) / as_ball(small) ** 3).mid())
    assert abs(ratio - 2 / (3 * math.pi)) < 1e-6


def test_d2_shape_quadratic_twin_violated():
    assert d2_shape_quadratic().check().status == "contradicted"


def test_d2_monte_carlo_in_three_dimensions():
    """E[(beta.x)^2 1{sgn alpha.x != sgn beta.x}] for x ~ N(0, I_3), 4e5 samples, 5 SE."""
    rng = np.random.default_rng(7)
    phi = 0.9
    alpha = np.array([1.0, 0.0, 0.0])
    beta = np.array([np.cos(phi), np.sin(phi), 0.0])
    x = rng.standard_normal((400_000, 3))
    vals = (x @ beta) ** 2 * (np.sign(x @ alpha) != np.sign(x @ beta))
    exact = float(closed_form(Fraction(phi)).mid())
    assert abs(vals.mean() - exact) < 5 * vals.std() / math.sqrt(len(vals))


# ---- Lemma C.11 -------------------------------------------------------------------------

def test_c11_identity_holds():
    v = LEMMA_C11.check()
    assert v.status == "checked" == v.expected


def test_c11_wrong_double_factorial_violated():
    v = c11_wrong_double_factorial().check()
    assert v.status == "refuted" and v.counterexample["params"]["k"] >= 4


def test_c11_against_mpmath_hermite():
    """Independent: mpmath's physicists' H_k, He_k(z) = 2^{-k/2} H_k(z / sqrt 2), tanh-sinh."""
    for k in (0, 2, 4, 6, 7):
        with mpmath.workdps(30):
            f = lambda z: abs(z) * 2 ** (-mpmath.mpf(k) / 2) * mpmath.hermite(k, z / mpmath.sqrt(2)) \
                * mpmath.exp(-z * z / 2) / mpmath.sqrt(2 * mpmath.pi)
            ref = mpmath.quad(f, [-mpmath.inf, 0, mpmath.inf]) / mpmath.sqrt(mpmath.factorial(k))
            assert abs(ref - _mpf(hermite_coefficient_quadrature(k))) < mpmath.mpf("1e-20")
    # the values recorded in the paper notes
    for k, val in [(0, 0.797885), (2, 0.564190), (4, -0.162868), (6, 0.0892062), (8, -0.0596034), (10, 0.0439793)]:
        assert abs(float(hermite_coefficient_closed_form(k).mid()) - val) < 1e-6


def test_c11_squared_loggamma_matches_closed_form():
    for k in (4, 10, 30):
        sq = hermite_coefficient_closed_form(k) ** 2
        assert abs(float((hermite_coefficient_squared(k) / sq).mid()) - 1) < 1e-25


def test_c11_decay_as_printed_is_contradicted_and_corrected_rate_consistent():
    v = LEMMA_C11_DECAY.check()
    assert v.status == "contradicted" == v.expected
    assert abs(v.estimate.exponent - 2.5) < 0.02
    good = c11_decay_corrected().check()
    assert good.status == "consistent"
    assert abs(float(good.estimate.constant) - (2 / math.pi) ** 1.5) < 0.01


# ---- Lemma C.7 --------------------------------------------------------------------------

def test_c7_holds():
    v = LEMMA_C7.check()
    assert v.status == "checked" == v.expected


@pytest.mark.parametrize("twin", TWINS["zgj.lemmaC7"])
def test_c7_planted_twins_refuted(twin):
    v = twin().check()
    assert v.status == "refuted" and v.counterexample["params"]["side"] in ("lower", "upper")


def test_c7_probability_monte_carlo():
    rng = np.random.default_rng(3)
    alpha = rng.standard_normal(4)
    alpha /= np.linalg.norm(alpha)
    x = rng.standard_normal((400_000, 4))
    hits = np.abs(x @ alpha) <= 0.3
    p = float(slab_probability(Fraction(3, 10)).mid())
    assert abs(hits.mean() - p) < 5 * math.sqrt(p * (1 - p) / len(hits))
