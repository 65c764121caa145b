"""The verdict logic (proofs_check.judgement and the default judge), on synthetic observations.

Explicit constants are checked (at the N instances) or refuted on balls; a margin whose ball
contains 0 is inconclusive, never accepted.  Hidden constants are judged on the fitted exponent: consistent
only when the whole interval is on the claim's side of the paper's exponent, and a tolerance
only ever widens inconclusive.
"""
from fractions import Fraction

import numpy as np
import pytest
from flint import arb

from proofs_check.claim import Claim
from proofs_check.claim_judgement import judge
from proofs_check.exponent_fit import FitSettings, fit_exponent, loglog_slope
from proofs_check.judgement import (Decision, combine, decide_instances, decide_shape,
                                    decide_trend, kind_of)
from proofs_check.verdict import Observation, margin_of


def _claim(relation=">=", constant=1, exponent=None, expected="inconclusive", **kw):
    return Claim(id="test.synthetic", title="t", source="nowhere, Lemma 0, p.0", statement="x",
                 hypotheses="none", lhs="a", rhs="b", relation=relation, expected=expected,
                 observe=lambda c, r: [], constant=constant, paper_exponent=exponent, **kw)


def _obs(lhs, rhs, scale=None, group=None, dps=30):
    return Observation(lhs=arb(lhs), rhs=arb(rhs), scale=arb(scale) if scale is not None else None,
                       dps=dps, witness={"params": {"lhs": str(lhs)}}, group=group)


def test_all_margins_certainly_positive_is_checked_at_those_instances():
    v = judge(_claim(), [_obs(2, 1), _obs(3, 1)])
    assert v.status == "checked" and v.kind == "checked" and v.instances == 2 and v.drawn_from
    assert v.counterexample is None and v.min_margin > 0


def test_one_certainly_negative_margin_is_refuted_with_its_witness():
    v = judge(_claim(), [_obs(2, 1), _obs("0.5", 1), _obs(3, 1)])
    assert v.status == "refuted" and v.kind == "proved"
    assert v.counterexample == {"params": {"lhs": "0.5"}}


def test_margin_inside_its_error_ball_is_inconclusive_never_accepted():
    straddling = Observation(lhs=arb(1, 1e-10), rhs=arb(1), scale=None, dps=30)
    v = judge(_claim(), [_obs(2, 1), straddling])
    assert v.status == "inconclusive"
    assert v.error >= 1e-10  # the reported error is the ball's radius


def test_upper_bound_relation_flips_the_margin():
    assert judge(_claim("<="), [_obs(1, 2)]).status == "checked"
    assert judge(_claim("<="), [_obs(3, 2)]).status == "refuted"


def test_equality_is_checked_to_certified_digits_and_a_tolerance_never_accepts():
    from flint import ctx
    c = _claim("==", tolerance=Fraction(1, 10**20))
    with ctx.workdps(40):
        agreeing = Observation(lhs=arb(1, 1e-30), rhs=arb(1), scale=None, dps=40)
        tiny_gap = _obs("1.0000000000000000000000001", 1, dps=40)  # 1e-25 off: within the tolerance
    v = judge(c, [agreeing])
    assert v.status == "checked" and v.margin_kind == "digits" and "certified digits" in v.shown
    # A difference certainly non-zero is refuted, however far below the tolerance it is.
    assert judge(c, [tiny_gap]).status == "refuted"
    # A ball wider than the tolerance asks for: undecided.
    assert judge(c, [Observation(lhs=arb(1, 1e-10), rhs=arb(1), scale=None, dps=40)]).status == "inconclusive"


def test_an_identity_is_proved_only_by_exact_algebra():
    from flint import ctx
    with ctx.workdps(40):
        agreeing = Observation(lhs=arb(1, 1e-35), rhs=arb(1), scale=None, dps=40)
    assert judge(_claim("=="), [agreeing]).status == "checked"
    proved = _claim("==", kind="proved", expected="proved",
                    symbolic_proof=lambda claim: "SymPy simplifies lhs - rhs to 0")
    v = judge(proved, [agreeing])
    assert v.status == "proved" and v.kind == "proved"
    # A symbolic "proof" never rescues a difference that is certainly non-zero.
    assert judge(proved, [_obs("1.5", 1)]).status == "refuted"


def test_margin_is_computed_at_the_observations_precision():
    """A relative margin of 1e-40 survives (flint's default 53 bits would lose it)."""
    from flint import ctx
    with ctx.workdps(60):
        lhs = arb(1) + arb(10) ** -40
    obs = Observation(lhs=lhs, rhs=arb(1), scale=None, dps=60)
    c = _claim()
    m = c.margin(obs)
    assert m > 0 and abs(float(m.mid()) - 1e-40) < 1e-50


def _shape_obs(exponent, paper, k_values=range(2, 9), factor=3.0):
    """lhs = factor x^exponent against rhs = x^paper (the claim's bound) on a ladder of x."""
    return [_obs(factor * 10.0 ** (-k * exponent), 10.0 ** (-k * float(paper)), scale=10.0 ** -k, group=k)
            for k in k_values]


SECANT = FitSettings(method="secant", resolution=0.01)


@pytest.mark.parametrize("true_exponent, relation, paper, status", [
    (0.6, ">=", 1, "consistent"),      # decays slower than the bound's shape: a lower bound survives
    (1.5, ">=", 1, "contradicted"),    # decays faster: lhs >= C L fails for small L, whatever C
    (0.5, "<=", Fraction(3, 8), "consistent"),
    (0.25, "<=", Fraction(3, 8), "contradicted"),
    (3.0, "Theta", 3, "consistent"),
    (2.0, "Theta", 3, "contradicted"),
    (3.0, "Theta", Fraction(302, 100), "contradicted"),  # two resolutions off: rejected
    (3.0, "Theta", Fraction(298, 100), "contradicted"),
])
def test_hidden_constant_is_judged_on_the_exponent(true_exponent, relation, paper, status):
    claim = _claim(relation, constant=None, exponent=Fraction(paper), fit=SECANT)
    v = judge(claim, _shape_obs(true_exponent, paper))
    assert v.status == status and v.kind == "empirical"
    assert v.estimate.exponent == pytest.approx(true_exponent, abs=1e-9)
    assert (v.min_margin >= 0) == (status == "consistent")
    assert "secant" in v.shown


def test_a_tight_one_sided_exponent_is_inconclusive_not_consistent():
    """lhs ~ x^1 exactly against lhs >= C x^1: the interval sits on 1, on neither side."""
    v = judge(_claim(">=", constant=None, exponent=Fraction(1), fit=SECANT), _shape_obs(1.0, 1))
    assert v.status == "inconclusive"


def test_tolerance_only_widens_inconclusive():
    fit = fit_exponent([10.0 ** -k for k in range(1, 8)], [10.0 ** (-1.005 * k) for k in range(1, 8)])
    assert decide_shape(fit, 1, ">=", resolution=0.01).status == "contradicted"
    assert decide_shape(fit, 1, ">=", resolution=0.01, tolerance=0.01).status == "inconclusive"
    assert decide_shape(fit, Fraction(101, 100), ">=", resolution=0.01, tolerance=1).status == "consistent"


def test_too_few_levels_for_a_fit_is_inconclusive():
    v = judge(_claim(constant=None, exponent=Fraction(1)), _shape_obs(0.5, 1, k_values=(2, 3)))
    assert v.status == "inconclusive"


def test_bootstrap_interval_is_wide_for_scattered_worst_cases():
    obs = []
    for k, wobble in zip(range(2, 7), (1, 30, 1, 30, 1)):
        obs.append(_obs(wobble * 10.0 ** (-k * 1.0), 10.0 ** -k, scale=10.0 ** -k, group=k))
    v = judge(_claim(constant=None, exponent=Fraction(1)), obs)
    lo, hi = v.estimate.exponent_ci
    assert lo < 1 < hi and v.status == "inconclusive"
    assert "bootstrap" in v.shown


def test_bootstrap_is_reproducible_and_uses_the_worst_sample_of_each_level():
    rng = np.random.default_rng(0)
    xs, ys, gs = [], [], []
    for k in range(2, 12):
        for _ in range(5):
            xs.append(10.0 ** -k)
            ys.append(10.0 ** (-0.7 * k) * rng.uniform(1, 3))
            gs.append(k)
    a = fit_exponent(xs, ys, FitSettings(), groups=gs)
    b = fit_exponent(xs, ys, FitSettings(), groups=gs)
    assert a == b and a.method == "bootstrap" and a.levels == 10
    assert a.interval[0] < 0.7 < a.interval[1] and a.interval[1] - a.interval[0] < 0.2


def test_secant_interval_is_the_range_of_local_exponents():
    x = [10.0 ** -k for k in range(1, 7)]
    y = [v ** 3 * (1 + v) for v in x]  # local exponents 3 + O(x), approaching 3 from above
    fit = fit_exponent(x, y, SECANT)
    local = [np.log(y[k + 1] / y[k]) / np.log(x[k + 1] / x[k]) for k in range(5)]
    assert fit.interval == pytest.approx((min(local), max(local)))
    assert loglog_slope([1e-2, 1e-3], [1, 2]) is not None
    assert fit_exponent([1e-2, 1e-3], [1, 2]) is None
    assert fit_exponent([1e-2] * 4, [1, 2, 3, 4]) is None


def test_decide_instances_and_combine():
    assert decide_instances([], drawn_from="nothing").status == "inconclusive"
    ok = decide_instances([arb(1)], drawn_from="one draw")
    trend = decide_trend(None)
    assert combine([ok, trend]).status == "inconclusive" and combine([ok, trend]).kind == "empirical"
    assert combine([ok, decide_instances([arb(-1)], drawn_from="one draw")]).status == "refuted"
    assert kind_of("contradicted") == "empirical" and kind_of("refuted") == "proved"
    with pytest.raises(ValueError, match="not of kind"):
        Decision("checked", "empirical")
    with pytest.raises(ValueError, match="how many instances"):
        Decision("checked", "checked")


def test_unknown_setting_names_the_field():
    claim = _claim(settings=FitSettings())
    with pytest.raises(ValueError, match="unknown setting"):
        claim.variant(settings={"resolutoin": 0.1})


def test_margin_of_with_vanishing_rhs_is_absolute():
    m = margin_of(">=", arb("0.25"), arb(0))
    assert m > 0 and abs(float(m.mid()) - 0.25) < 1e-15
