"""The float64 screen (numeric.filtered): its enclosures contain the exact values, and a
decision taken on it is the decision of all-ball evaluation, near-ties included."""
from __future__ import annotations

import sys

import flint
import numpy as np
import pytest
from flint import arb
from hypothesis import given, settings
from hypothesis import strategies as st

import numeric.float64_enclosure as nf
from numeric.config import Configuration
from numeric.filtered import ScreenCounts, filtered, screening
from numeric.float64_enclosure import loss_gradient_enclosure
from numeric.precise import ball_enclosure, evaluate
from proofs_check.models.teacher_student.samplers import FAMILIES, configuration_at_level, random_spec
from proofs_check.models.teacher_student.strategies import configurations

DPS = 50


def encloses(config: Configuration) -> bool:
    """Whether the screen's balls contain the 50-digit balls of loss and gradient (both
    enclose the exact values, and the screen's are ~1e35 times wider)."""
    screen = loss_gradient_enclosure(config, DPS)
    if screen is None:  # declined (an entry beyond float64's range): balls decide
        return nf._float_rows(config.student) is None or nf._float_rows(config.teacher) is None
    exact = evaluate(config, DPS)
    return screen.loss.contains(exact.loss) and all(
        a.contains(b) for ra, rb in zip(screen.gradient, exact.gradient) for a, b in zip(ra, rb))


def gaussian(rng, r, m, d, activation="abs"):
    return Configuration(rng.normal(size=(r, d)).tolist(), (0.8 * rng.normal(size=(m, d))).tolist(),
                         activation)


def sampled(rng, count, levels=(1e-2, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12)):
    """``count`` configurations from the suite's samplers (every family, small loss levels)."""
    out = []
    while len(out) < count:
        r = int(rng.integers(1, 4))
        m, d = r + int(rng.integers(0, 3)), int(rng.integers(2, 5))
        spec = random_spec(rng, r, m, d, family=FAMILIES[len(out) % len(FAMILIES)])
        try:
            out.append(configuration_at_level(spec, levels[len(out) % len(levels)]).config)
        except Exception:  # the path does not reach this level: draw another
            continue
    return out


# -- the enclosure ------------------------------------------------------------------------------

def test_random_configurations_are_enclosed():
    rng = np.random.default_rng(0)
    configs = [gaussian(rng, int(rng.integers(1, 5)), int(rng.integers(4, 9)), int(rng.integers(1, 7)),
                        ("abs", "relu")[k % 2]) for k in range(2000)]
    assert all(encloses(c) for c in configs)


def test_sampled_configurations_at_small_loss_are_enclosed():
    assert all(encloses(c) for c in sampled(np.random.default_rng(1), 120))


@pytest.mark.slow
def test_thousands_of_sampled_configurations_are_enclosed():
    assert all(encloses(c) for c in sampled(np.random.default_rng(2), 2000))


@settings(max_examples=60, deadline=None, database=None)
@given(configurations(r=st.integers(1, 3), m=st.integers(3, 5), d=st.integers(2, 4), max_loss=1e-3))
def test_hypothesis_configurations_are_enclosed(config):
    assert encloses(config)


PITFALLS = {
    # aligned neurons: the angle is exactly 0 or pi, where acos and sqrt(1 - c^2) misbehave
    "student on its teacher": ([[1, 2, 2]], [[1, 2, 2]]),
    "scaled copy": ([[3, 0, 4]], [["0.3", 0, "0.4"], ["0.6", 0, "0.8"]]),
    "antipodal": ([[1, 1]], [[-1, -1], ["0.5", "0.5"]]),
    "duplicated students": ([[1, 0], [0, 1]], [["0.7", "0.1"], ["0.7", "0.1"], [0, 1]]),
    "angle 1e-15": ([[1, 0]], [[1, "1e-15"], [0, 1]]),
    "angle 1e-300": ([[1, 0]], [[1, "1e-300"], ["1e-300", 1]]),
    "orthogonal": ([[1, 0, 0], [0, 1, 0]], [[0, 0, 1], [0, 1, 0]]),
    "zero student": ([[1, 0]], [[0, 0], [1, "0.5"]]),
    "zero teacher": ([[1, 0], [0, 0]], [[1, "0.5"], ["0.1", 1]]),
    "huge and tiny": ([["1e30", 1]], [["1e-30", "1e30"], ["1e15", "1e15"]]),
}


@pytest.mark.parametrize("name", sorted(PITFALLS))
@pytest.mark.parametrize("activation", ["abs", "relu"])
def test_pitfalls_are_enclosed(name, activation):
    teacher, student = PITFALLS[name]
    assert encloses(Configuration.from_dict({"teacher": teacher, "student": student,
                                             "activation": activation}))


def test_the_screen_declines_what_it_cannot_bound():
    tiny = Configuration.from_dict({"teacher": [[1, 0]], "student": [["1e-400", 1]]})
    huge = Configuration.from_dict({"teacher": [[1, 0]], "student": [["1e200", 1]]})
    assert loss_gradient_enclosure(tiny) is None and loss_gradient_enclosure(huge) is None
    with screening():  # evaluate falls back to balls: a tight ball, not None
        assert float(evaluate(tiny, DPS).loss.rad()) < 1e-45


def test_arctan2_is_within_the_assumed_libm_error():
    """The one assumption of the bound that is not IEEE arithmetic: numpy's arctan2."""
    rng = np.random.default_rng(3)
    y = np.concatenate([rng.uniform(0, 1, 4000), 10.0 ** rng.uniform(-300, 0, 2000), [0.0, 5e-324]])
    x = np.concatenate([rng.uniform(-1, 1, 4000), rng.choice([-1.0, 1.0], 2000) * 10.0 ** rng.uniform(-300, 1, 2000),
                        [-1.0, 1.0]])
    theta = np.arctan2(y, x)
    with flint.ctx.workdps(40):
        for yi, xi, ti in zip(y.tolist(), x.tolist(), theta.tolist()):
            exact = arb.atan2(arb(yi), arb(xi))
            assert abs(exact - ti) <= nf.LIBM_RELATIVE_ERROR * abs(ti) + nf.ETA


# -- a false twin: an enclosure whose radius is too small -------------------------------------

def test_an_enclosure_with_a_too_small_radius_is_caught(monkeypatch):
    """The containment check is sensitive: the same float64 values with radii 1000 times
    smaller miss the exact values on some sampled configurations (our bound is therefore
    within a factor 1000 of the worst error seen; it is typically 20-200x the error)."""
    honest = loss_gradient_enclosure

    def shrunk(config, dps=DPS, *, gradient=True):
        e = honest(config, dps, gradient=gradient)
        small = lambda b: arb(b.mid(), b.rad() / 1000)
        return type(e)(small(e.loss), tuple(tuple(small(g) for g in row) for row in e.gradient),
                       None, dps, "arb")

    monkeypatch.setattr(sys.modules[__name__], "loss_gradient_enclosure", shrunk)
    rng = np.random.default_rng(6)
    configs = [gaussian(rng, 2, 4, 3) for _ in range(40)] + sampled(np.random.default_rng(7), 20)
    assert not all(encloses(c) for c in configs)


# -- decisions: identical to all-ball evaluation, near-ties escalated -----------------------------

def _decide(margin) -> int | None:
    """The certified sign of a margin ball (None: undecided)."""
    return 1 if margin > 0 else -1 if margin < 0 else None


def _margin(config, quantity, threshold):
    e = evaluate(config, DPS)
    with flint.ctx.workdps(DPS):
        value = e.loss if quantity == "loss" else sum((g * g for row in e.gradient for g in row), arb(0))
        return value - threshold


@pytest.mark.parametrize("offset", ["1e-3", "1e-9", "1e-14", "1e-30", "0"])
def test_filtered_decisions_equal_all_ball_decisions_near_ties(offset):
    """Thresholds placed at the exact value times (1 +- offset): at 1e-14 and 1e-30 the
    screen cannot decide, and must escalate; every decision equals the all-ball one."""
    rng = np.random.default_rng(4)
    configs = [gaussian(rng, 2, 4, 3, ("abs", "relu")[k % 2]) for k in range(40)]
    configs += sampled(np.random.default_rng(5), 40)
    counts = ScreenCounts()
    for config in configs:
        exact = evaluate(config, DPS)
        with flint.ctx.workdps(DPS):
            values = {"loss": exact.loss,
                      "gradient": sum((g * g for row in exact.gradient for g in row), arb(0))}
            for quantity, value in values.items():
                for sign in (1, -1):
                    threshold = arb(value.mid()) * (1 + sign * arb(offset))
                    reference = _decide(_margin(config, quantity, threshold))
                    decided = filtered(lambda: _margin(config, quantity, threshold),
                                       lambda m: _decide(m) is not None, counts)
                    assert _decide(decided) == reference
    if offset in ("1e-30", "0"):
        assert counts.screened == 0  # no float64 bound resolves 1e-30: all escalated
    if offset == "1e-3":
        assert counts.share_escalated < 0.1


def test_a_screen_without_its_bound_would_be_caught():
    """The identity check fails for a screen that reports the float64 value without its bound
    (radius 0): with the threshold halfway between the float64 loss and the exact loss, that
    screen certifies the wrong sign, while the real one escalates and agrees with the balls."""
    config = Configuration.from_dict({"teacher": [[1, 0], [0, 1]], "student": [["0.7", "0.71"], [0, 1]]})
    exact = evaluate(config, DPS).loss
    rough = loss_gradient_enclosure(config, DPS).loss.mid()
    with flint.ctx.workdps(DPS):
        threshold = (exact + rough) / 2
        reference = _decide(exact - threshold)

    def pointlike(compute_config, dps, gradient=True):
        e = loss_gradient_enclosure(compute_config, dps, gradient=gradient)
        return type(e)(arb(e.loss.mid()), None, None, dps, "arb")

    def margin():
        with flint.ctx.workdps(DPS):
            return evaluate(config, DPS, gradient=False).loss - threshold

    with flint.ctx.workdps(DPS):  # the margin on the pointlike screen's loss
        wrong = _decide(pointlike(config, DPS, gradient=False).loss - threshold)
    assert reference is not None and wrong == -reference
    assert _decide(filtered(margin, lambda m: _decide(m) is not None)) == reference


def test_screening_is_scoped():
    config = Configuration.from_dict({"teacher": [[1, 0]], "student": [["0.5", "0.1"]]})
    with screening():
        inside = evaluate(config, DPS)
    outside = evaluate(config, DPS)
    assert float(inside.loss.rad()) > 1e-25 > float(outside.loss.rad())
    with screening():  # Hessians and mpmath are never screened
        assert float(evaluate(config, DPS, hessian=True).loss.rad()) < 1e-25
        assert evaluate(config, DPS, backend="mpmath").backend == "mpmath"


def test_the_enclosure_is_chosen_explicitly_and_the_argument_wins():
    """The screen is a named choice: ``enclosure=`` on the call, or a block default that an
    explicit argument overrides; a screened result says so in ``engine``."""
    config = Configuration.from_dict({"teacher": [[1, 0]], "student": [["0.5", "0.1"]]})
    balls = evaluate(config, DPS)
    screened = evaluate(config, DPS, enclosure="float64-screen")  # no block needed
    assert screened.engine == "float64-screen" and balls.engine != "float64-screen"
    assert screened.loss.contains(balls.loss) and float(screened.loss.rad()) > 1e-25
    with screening():
        explicit = evaluate(config, DPS, enclosure="balls")
    assert explicit.engine != "float64-screen" and float(explicit.loss.rad()) < 1e-45
    with pytest.raises(ValueError, match="enclosure"):
        evaluate(config, DPS, enclosure="float64")
    with pytest.raises(ValueError, match="enclosure"):
        with ball_enclosure("screen"):
            pass


def test_declined_evaluations_are_tallied():
    """``screening(counts)`` counts each evaluation the screen leaves to the balls, and only
    those."""
    inside = Configuration.from_dict({"teacher": [[1, 0]], "student": [["0.5", "0.1"]]})
    huge = Configuration.from_dict({"teacher": [[1, 0]], "student": [["1e200", 1]]})
    counts = ScreenCounts()
    with screening(counts):
        evaluate(inside, DPS)
        evaluate(huge, DPS)
        evaluate(huge, DPS, gradient=False)
    assert counts.declined == 2


# -- the search: the screen changes the cost, not the result -------------------------------------

@pytest.mark.parametrize("claim, constant", [("contrast.pl", "1e-2"), ("zgj.thm4", None)])
def test_search_finds_the_same_with_and_without_the_screen(tmp_path, claim, constant):
    from proofs_check.search import claim_from_reference, search

    results = {}
    for screen in (False, True):
        results[screen] = search(claim_from_reference(claim, constant), max_examples=25, seed=0,
                                 database=None, save_dir=tmp_path / str(screen), refine_steps=0,
                                 optimise=False, budget=None, screen=screen)
    plain, screened = results[False], results[True]
    assert plain.found == screened.found and plain.examples == screened.examples
    assert plain.best.config == screened.best.config
    # the reported margin is the all-ball one, digit for digit
    assert plain.best.margin.mid() == screened.best.margin.mid()
    assert plain.best.margin.rad() == screened.best.margin.rad()
    assert plain.screen_counts.screened == 0 and screened.screen_counts.screened > 0


# -- each rule of the running error bound, on its own ---------------------------------------------

#: Enough digits that ``v + e c`` with ``e`` down to 1e-300 is held exactly.
_EXACT_DPS = 1100
_finite = st.floats(-1e6, 1e6, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-200)


@st.composite
def _perturbed(draw, shape=()):
    """A float64 value ``v``, a bound ``e`` and an exact value within it (exact in 1100 digits)."""
    size = int(np.prod(shape)) if shape else 1
    v = np.array([draw(_finite) for _ in range(size)]).reshape(shape)
    rel = draw(st.sampled_from([0.0, 1e-16, 1e-12, 1e-6]))
    e = np.abs(v) * rel + draw(st.sampled_from([0.0, 1e-300, 1e-20]))
    where = np.array([draw(st.floats(-1, 1)) for _ in range(size)]).reshape(shape)
    with flint.ctx.workdps(_EXACT_DPS):
        exact = np.vectorize(lambda a, b, c: arb(a) + arb(b) * arb(c), otypes=[object])(v, e, where)
    return nf.Bounded(v, e), exact


def _within(result: "nf.Bounded", exact) -> bool:
    with flint.ctx.workdps(_EXACT_DPS):
        return all(abs(arb(float(v)) - x) <= arb(float(e))
                   for v, e, x in zip(np.ravel(result.v), np.ravel(np.broadcast_to(result.e, result.v.shape)),
                                      np.ravel(exact)))


@settings(max_examples=200, deadline=None, database=None)
@given(_perturbed((3,)), _perturbed((3,)), st.sampled_from(["+", "-", "*", "/"]))
def test_arithmetic_rules_enclose(a, b, op):
    (x, xe), (y, ye) = a, b
    if op == "/" and not (np.abs(y.v) > y.e).all():
        return  # the rule gives an infinite bound there (tested below)
    result = {"+": x + y, "-": x - y, "*": x * y, "/": x / y}[op]
    with flint.ctx.workdps(_EXACT_DPS):
        exact = [{"+": p + q, "-": p - q, "*": p * q, "/": p / q}[op] for p, q in zip(xe, ye)]
    assert _within(result, exact)


@settings(max_examples=200, deadline=None, database=None)
@given(_perturbed((4,)), _perturbed((4,)))
def test_sqrt_and_atan2_rules_enclose(a, b):
    (x, xe), (y, ye) = a, b
    with flint.ctx.workdps(_EXACT_DPS):
        # exact arguments >= 0 for sqrt and for atan2's y (as in the evaluator)
        xs = [abs(p) for p in xe]
        xb = nf.Bounded(np.abs(x.v), x.e)
        assert _within(nf._sqrt(xb), [p.sqrt() for p in xs])
        result = nf._atan2(xb, y)
        finite = np.isfinite(result.e)
        exact = [arb.atan2(p, q) for p, q in zip(xs, ye)]
        assert _within(nf.Bounded(result.v[finite], result.e[finite]), np.array(exact, dtype=object)[finite])


@settings(max_examples=100, deadline=None, database=None)
@given(_perturbed((3, 4)), _perturbed((4, 2)))
def test_matmul_and_norm_rules_enclose(a, b):
    (x, xe), (y, ye) = a, b
    with flint.ctx.workdps(_EXACT_DPS):
        exact = np.array([[sum((xe[i, k] * ye[k, j] for k in range(4)), arb(0)) for j in range(2)]
                          for i in range(3)], dtype=object)
        norms = [sum((p * p for p in row), arb(0)).sqrt() for row in xe]
    assert _within(nf._matmul(x, y), exact)
    assert _within(nf._row_norms(x), norms)


def test_a_row_whose_squares_underflow_is_left_to_the_balls():
    """Found by Hypothesis: a student row ``(0, 8.4e-206)``, whose square underflows to 0 in
    float64, made the screen compute a zero norm and decline through a non-finite bound; it
    now declines up front, for that stated reason, and the balls decide."""
    from fractions import Fraction as F

    tiny = F(69673951727762767463554906650651695, 8335018041099817842599814738401572246430947902894880 * 10**154)
    config = Configuration(((0, 1),), ((0, 1), (0, 0), (0, F(1, 8)), (0, tiny)), "abs")
    assert nf._float_rows(config.student) is None and loss_gradient_enclosure(config, DPS) is None
    assert encloses(config)
    nearly = Configuration(((0, 1),), ((0, 1), (0, 0), (0, F(1, 8)), (F(1, 10**150), tiny)), "abs")
    assert nf._float_rows(nearly.student) is not None and encloses(nearly)  # 1e-300 does not underflow
