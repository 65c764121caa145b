"""Theorem 4 and the contrast claims (PL, local strong convexity), with their twins.

For ``zgj.thm4`` (expected ``holds``) the twins are false claims that must be refuted.
The contrast claims are expected ``violated`` (the paper says PL and strong convexity fail
in the over-parameterized case); their twins are the *true* restrictions to the exactly
parameterized case ``m = r`` (Zhou, Ge, Jin Sec. 4: one student per teacher gives loss
``Theta(delta^2)`` and a non-degenerate Hessian), which must not be refuted.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest

from numeric.config import Configuration
from proofs_check.claims import get_claim
from proofs_check.claims.quantities import loss_and_gradient_norm

THM4 = get_claim("zgj.thm4")
PL = get_claim("contrast.pl")
STRONG_CONVEXITY = get_claim("contrast.strong_convexity")

#: Levels 1e-2 ... 1e-16: the Claim-2 configurations reach them cheaply and the exponent
#: fit over eight decades separates 2/3 from 1/2.
DEEP_LEVELS = tuple(10.0**-k for k in range(2, 17, 2))
EXACT = {"shapes": ((1, 1, 2), (2, 2, 3)), "families": ("random",),
         "worst_case_shapes": ((1, 1, 2), (2, 2, 3))}


# ---- twins ------------------------------------------------------------------------------

def thm4_kappa_too_large():
    """kappa = 1000, far above the best kappa seen (~10-20): violated at some sample."""
    return THM4.variant(constant=Fraction(1000))


def thm4_pl_exponent():
    """||grad L|| >= kappa L^{1/2} (PL): false, the Claim-2 path has ||grad L|| ~ L^{2/3}.

    Sampled along the Claim-2 family (no optimisation), where the paper says PL fails."""
    return THM4.variant(paper_exponent=Fraction(1, 2),
                        params={"families": ("claim2",), "levels": DEEP_LEVELS, "optimise": False},
                        default_samples=32)


PLANTED = {"zgj.thm4": [thm4_kappa_too_large, thm4_pl_exponent]}


def pl_exact_parameterization():
    """PL restricted to m = r: true (||grad L||^2 ~ L, exponent 1)."""
    # The exponent is exactly 1 here (PL is tight), so the fit needs ~8 samples per level.
    return PL.variant(params=EXACT, expected="holds", default_samples=56)


def strong_convexity_exact_parameterization():
    """lambda_min(Hessian) >= 1e-3 near the minimum with m = r: true (lambda_min ~ 0.13)."""
    return STRONG_CONVEXITY.variant(params=EXACT, expected="holds")


#: Claims expected "violated" carry a twin that holds instead of a planted false one.
HOLDS = {
    "contrast.pl": [pl_exact_parameterization],
    "contrast.strong_convexity": [strong_convexity_exact_parameterization],
}


# ---- Theorem 4 --------------------------------------------------------------------------

def test_thm4_holds_small_sample():
    v = THM4.check(samples=14)
    assert v.status == "holds" == v.expected
    assert v.estimate.exponent < 1


def test_thm4_worst_case_is_found_not_sampled():
    """The minimisers beat every family the sampler draws at the same levels: their
    ||grad L|| decays like L^(3/4), faster than Claim 2's L^(2/3)."""
    v = THM4.check(samples=14)
    sampled = THM4.variant(params={"optimise": False, "shapes": ((1, 2, 2),)}).check(samples=28)
    assert v.estimate.constant < sampled.estimate.constant
    assert v.estimate.exponent > sampled.estimate.exponent + 0.03
    assert all(o == "continued" or o in ("sampler", "relaxed")
               for o in v.figures["gradient_vs_loss"]["origin"])


def test_thm4_kappa_too_large_violated():
    v = thm4_kappa_too_large().check(samples=7)
    assert v.status == "violated"
    config = Configuration.from_dict(v.counterexample["config"])
    L, g = loss_and_gradient_norm(config, 40)
    assert g < 1000 * L


@pytest.mark.parametrize("seed", [0, 1])
def test_thm4_pl_exponent_twin_violated(seed):
    v = thm4_pl_exponent().check(seed=seed)
    assert v.status == "violated"
    assert abs(v.estimate.exponent - 2 / 3) < 0.05
    assert v.counterexample is not None


def test_loss_and_gradient_norm_against_reference(reference_loss_gradient):
    config = Configuration([[1, 0], [0, 1]], [[Fraction(9, 10), Fraction(1, 10)], [0, Fraction(11, 10)],
                                              [Fraction(1, 5), Fraction(-1, 3)]], "abs")
    L, g = loss_and_gradient_norm(config, 40)
    ref_L, ref_grad = reference_loss_gradient(config, 40)
    with mpmath.workdps(40):
        ref_g = mpmath.sqrt(mpmath.fsum(x * x for row in ref_grad for x in row))
        assert abs(mpmath.mpf(L.mid().str(45, radius=False)) - ref_L) < mpmath.mpf("1e-30")
        # The ball must contain the reference (its width: quantities.py forms the norm at
        # the ambient 53-bit precision, so only ~15 digits of ||grad L|| are certified).
        g_rad = mpmath.mpf(g.rad().str(10, radius=False))
        assert abs(mpmath.mpf(g.mid().str(45, radius=False)) - ref_g) <= g_rad + mpmath.mpf("1e-30")


# ---- contrast claims --------------------------------------------------------------------

def test_pl_refuted_at_the_minimisers():
    v = PL.check(samples=14)
    assert v.status == "violated" == v.expected
    assert v.counterexample["family"] in ("random", "claim2", "split", "stray")
    assert v.estimate.exponent > 1.4  # ||grad||^2 ~ L^{3/2} at the minimisers


def test_pl_holds_at_exact_parameterization():
    v = pl_exact_parameterization().check()
    assert v.status == "holds"
    assert abs(v.estimate.exponent - 1) < 0.05


def test_strong_convexity_refuted():
    v = STRONG_CONVEXITY.check(samples=8)
    assert v.status == "violated" == v.expected
    assert v.counterexample is not None


def test_strong_convexity_holds_at_exact_parameterization():
    v = strong_convexity_exact_parameterization().check(samples=8)
    assert v.status == "holds"
