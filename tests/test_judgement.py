"""The verdict logic of proofs_check.claims.base, on synthetic observations.

A verdict is three-valued: a margin whose ball contains 0 is inconclusive, never holds;
hidden constants are judged on the fitted exponent with its interval.
"""
from fractions import Fraction

import pytest
from flint import arb

from proofs_check.claims.base import Claim, Observation, fit_exponent, judge, margin_of


def _claim(relation=">=", constant=1, exponent=None, **kw):
    return Claim(id="test.synthetic", title="t", source="nowhere, Lemma 0, p.0", statement="x",
                 hypotheses="none", lhs="a", rhs="b", relation=relation, expected="holds",
                 observe=lambda c, r: [], constant=constant, paper_exponent=exponent, **kw)


def _obs(lhs, rhs, scale=None, group=None, dps=30):
    return Observation(lhs=arb(lhs), rhs=arb(rhs), scale=arb(scale) if scale is not None else None,
                       dps=dps, witness={"params": {"lhs": str(lhs)}}, group=group)


def test_all_margins_certainly_positive_holds():
    v = judge(_claim(), [_obs(2, 1), _obs(3, 1)])
    assert v.status == "holds" and v.counterexample is None and v.min_margin > 0


def test_one_certainly_negative_margin_is_violated_with_its_witness():
    v = judge(_claim(), [_obs(2, 1), _obs("0.5", 1), _obs(3, 1)])
    assert v.status == "violated"
    assert v.counterexample == {"params": {"lhs": "0.5"}}


def test_margin_inside_its_error_ball_is_inconclusive_never_holds():
    straddling = Observation(lhs=arb(1, 1e-10), rhs=arb(1), scale=None, dps=30)
    v = judge(_claim(), [_obs(2, 1), straddling])
    assert v.status == "inconclusive"
    assert v.error >= 1e-10  # the reported error is the ball's radius


def test_upper_bound_relation_flips_the_margin():
    assert judge(_claim("<="), [_obs(1, 2)]).status == "holds"
    assert judge(_claim("<="), [_obs(3, 2)]).status == "violated"


def test_equality_to_a_tolerance():
    from flint import ctx
    c = _claim("==", tolerance=Fraction(1, 10**20))
    with ctx.workdps(40):  # the balls must be narrower than the tolerance to decide
        close, far = _obs("1.0000000000000000000000001", 1, dps=40), _obs("1.000000001", 1, dps=40)
    assert judge(c, [close]).status == "holds"
    assert judge(c, [far]).status == "violated"
    # The same number held at 53 bits is a ball wider than the tolerance: undecided.
    assert judge(c, [_obs("1.0000000000000000000000001", 1)]).status == "inconclusive"


def test_margin_is_computed_at_the_observations_precision():
    """A relative margin of 1e-40 survives (flint's default 53 bits would lose it)."""
    from flint import ctx
    with ctx.workdps(60):
        lhs = arb(1) + arb(10) ** -40
    obs = Observation(lhs=lhs, rhs=arb(1), scale=None, dps=60)
    c = _claim()
    m = c.margin(obs)
    assert m > 0 and abs(float(m.mid()) - 1e-40) < 1e-50


def _shape_obs(exponent, k_values=range(2, 9), factor=3.0):
    return [_obs(factor * 10.0 ** (-k * exponent), 10.0 ** -k, scale=10.0 ** -k, group=k)
            for k in k_values]


@pytest.mark.parametrize("true_exponent, relation, paper, status", [
    (0.6, ">=", 1, "holds"),       # decays slower than the bound's shape: a lower bound survives
    (1.5, ">=", 1, "violated"),    # decays faster: lhs >= C L fails for small L, whatever C
    (0.5, "<=", Fraction(3, 8), "holds"),
    (0.25, "<=", Fraction(3, 8), "violated"),
    (3.0, "Theta", 3, "holds"),
    (2.0, "Theta", 3, "violated"),
])
def test_hidden_constant_is_judged_on_the_exponent(true_exponent, relation, paper, status):
    v = judge(_claim(relation, constant=None, exponent=Fraction(paper)), _shape_obs(true_exponent))
    assert v.status == status
    assert v.estimate.exponent == pytest.approx(true_exponent, abs=1e-9)
    assert (v.min_margin >= 0) == (status == "holds")


def test_too_few_levels_for_a_fit_is_inconclusive():
    v = judge(_claim(constant=None, exponent=Fraction(1)), _shape_obs(0.5, k_values=(2, 3)))
    assert v.status == "inconclusive"


def test_noisy_exponent_straddling_the_tolerance_is_inconclusive():
    obs = []
    for k, wobble in zip(range(2, 7), (1, 30, 1, 30, 1)):
        obs.append(_obs(wobble * 10.0 ** (-k * 1.0), 10.0 ** -k, scale=10.0 ** -k, group=k))
    v = judge(_claim(constant=None, exponent=Fraction(1)), obs)
    lo, hi = v.estimate.exponent_ci
    assert lo < 1.05 < hi and v.status == "inconclusive"


def test_fit_exponent_interval_covers_the_truth_and_refuses_degenerate_data():
    s = [10.0 ** -k for k in range(1, 8)]
    slope, (lo, hi), _ = fit_exponent(s, [2 * x ** 0.75 for x in s])
    assert slope == pytest.approx(0.75) and lo <= 0.75 <= hi
    assert fit_exponent([1e-2, 1e-3], [1, 2]) is None
    assert fit_exponent([1e-2] * 4, [1, 2, 3, 4]) is None


def test_margin_of_with_vanishing_rhs_is_absolute():
    m = margin_of(">=", arb("0.25"), arb(0))
    assert m > 0 and abs(float(m.mid()) - 0.25) < 1e-15
