"""Claims thm5, lemma13, lemma14, claim2 (Zhou, Ge, Jin) and their planted false twins."""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np

from numeric.config import Configuration
from numeric.dynamics import gradient_descent, student_teacher_angles
from numeric.float64 import loss_and_gradient
from numeric.precise import evaluate
from numeric.numbers import to_mpf
from proofs_check.claims.zgj.claim2 import CLAIM2, claim2_configuration, hessian_min_eigenvalue
from proofs_check.claims.zgj.lemma13 import LEMMA13, second_order_remainder
from proofs_check.claims.zgj.lemma14 import LEMMA14
from proofs_check.claims.zgj.thm5 import THM5

FAST_CLAIM2 = {"compare_identity": False, "hessian": False}


def claim2_quadratic():
    # L = Theta(delta^2), as in the exact parameterization: false here.
    return CLAIM2.variant(paper_exponent=Fraction(2), settings=FAST_CLAIM2, expected="contradicted")


def claim2_exponent_above():
    # L = Theta(delta^3.02): two resolutions (0.01) above the true exponent 3.
    return CLAIM2.variant(paper_exponent=Fraction(302, 100), settings=FAST_CLAIM2, expected="contradicted")


def claim2_exponent_below():
    # L = Theta(delta^2.98): two resolutions below.
    return CLAIM2.variant(paper_exponent=Fraction(298, 100), settings=FAST_CLAIM2, expected="contradicted")


def lemma14_constant_a_millionth_too_small():
    # ||grad_{w_k} L||^2 <= 8 (1 - 1e-6) ||w_k||^2 L: the constant 2 sqrt 2 is sharp (one
    # aligned student), so the near-extremal draws refute it.
    return LEMMA14.variant(settings={"c_squared": 8 * (1 - Fraction(1, 10**6))}, expected="refuted")


def lemma14_constant_halved():
    return LEMMA14.variant(settings={"c_squared": Fraction(2)}, expected="refuted")


def lemma13_five_halves():
    # remainder <= C ||U||^{5/2}: too strong (the remainder is Theta(||U||^2)).
    return LEMMA13.variant(paper_exponent=Fraction(5, 2), expected="contradicted",
                           settings={"shape": lambda nU, L, r, w: nU ** 2 * nU.sqrt()})


#: Twins run only the worst-case start of one width: GD from Theorem 4's worst case, where
#: ||grad L_0|| = kappa L_0 (the first checked step is where both twins fail).
FAST_THM5 = {"widths": (1, 2), "steps": 40, "starts": 0}


def thm5_kappa_too_large():
    # (a) with 3 kappa asks for L_0 - L_1 >= (9/4) eta kappa^2 L_0^2; at Theorem 4's worst case
    # ||grad L_0|| = kappa L_0 and the step decreases L by at most ~ eta ||grad L_0||^2.
    return THM5.variant(settings={**FAST_THM5, "kappa_scale": Fraction(3)}, expected="refuted")


def thm5_decrease_constant_one():
    # (a) with the decrease constant 1 in place of the paper's 1/4: false at the worst-case start,
    # where the step's second-order term makes L_0 - L_1 < eta ||grad L_0||^2 = eta kappa^2 L_0^2.
    return THM5.variant(settings={**FAST_THM5, "decrease": Fraction(1)}, expected="refuted")


def thm5_width_decreasing():
    # "C_m decreases like 1/m": false, the worst rate constant does not fall with m.
    from proofs_check.claims.zgj.thm5 import THM5_WIDTH

    return THM5_WIDTH.variant(settings={"trend_bound": -1.0}, expected="contradicted")


TWINS = {
    "zgj.claim2": [claim2_quadratic, claim2_exponent_above, claim2_exponent_below],
    "zgj.lemma14": [lemma14_constant_a_millionth_too_small, lemma14_constant_halved],
    "zgj.lemma13": [lemma13_five_halves],
    "zgj.thm5": [thm5_kappa_too_large, thm5_decrease_constant_one],
    "zgj.thm5.width": [thm5_width_decreasing],
}


# ---- claim 2 ---------------------------------------------------------------------------

def test_claim2_holds():
    v = CLAIM2.variant(settings={**FAST_CLAIM2, "deltas": (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6)}).check()
    assert v.status == "consistent" and v.kind == "empirical"
    assert abs(float(v.estimate.constant) - 2 / (3 * np.pi)) < 2e-2


def test_claim2_quadratic_twin_violated():
    v = claim2_quadratic().check()
    assert v.status == "contradicted" and v.counterexample is not None


def test_claim2_loss_matches_quadrature():
    # Independent: L = 1/2 E[(f - f*)^2] by mpmath quadrature over the angle (d = 2: the
    # radial part of a 2-homogeneous square integrates to E[rho^4]/... use polar form).
    delta = mpmath.mpf("0.3")
    c = claim2_configuration(delta, 30)
    L = to_mpf(evaluate(c, 30, gradient=False).loss.mid())
    with mpmath.workdps(30):
        rho = 1 / mpmath.sqrt(2 * mpmath.cos(delta))
        cs, sn = mpmath.cos(delta), mpmath.sin(delta)

        def residual(phi):
            x = (mpmath.cos(phi), mpmath.sin(phi))
            f = rho * abs(rho * (cs * x[0] + sn * x[1])) + rho * abs(rho * (cs * x[0] - sn * x[1]))
            return f - abs(x[0])

        # x = rho u with rho^2 ~ chi^2_2: E[rho^2] = 2, so E[g(x)^2] = 2 * mean over phi of g(u)^2.
        kinks = sorted({float(mpmath.pi / 2 + s * delta + k * mpmath.pi) % float(2 * mpmath.pi)
                        for s in (-1, 1, 0) for k in (0, 1)} | {0.0, float(2 * mpmath.pi)})
        quad = mpmath.quad(lambda p: residual(p) ** 2, kinks) / (2 * mpmath.pi) * 2
    assert abs(L - quad / 2) < mpmath.mpf(10) ** -20


def test_claim2_hessian_degenerate():
    lo, hi = hessian_min_eigenvalue(claim2_configuration(0, 40), 40)
    assert abs(lo) < mpmath.mpf(10) ** -30 and hi > 1


# ---- lemma 14 --------------------------------------------------------------------------

def test_lemma14_checked():
    v = LEMMA14.check(samples=20)
    assert v.status == "checked" and v.kind == "checked"


def test_lemma14_sharp_constant_twin_refuted():
    v = lemma14_constant_a_millionth_too_small().check(samples=20)
    assert v.status == "refuted" and v.counterexample is not None


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(5)
    T, S = np.eye(2, 3), rng.standard_normal((3, 3)) * 0.7
    c = Configuration(T.tolist(), S.tolist())
    e = evaluate(c, 40, backend="mpmath")
    h = 1e-6
    for j, k in ((0, 0), (2, 1)):
        Sp, Sm = S.copy(), S.copy()
        Sp[j, k] += h
        Sm[j, k] -= h
        fd = (loss_and_gradient(T, Sp)[0] - loss_and_gradient(T, Sm)[0]) / (2 * h)
        assert abs(fd - float(e.gradient[j][k])) < 1e-6


# ---- lemma 13 --------------------------------------------------------------------------

def test_lemma13_holds():
    v = LEMMA13.check(samples=18)
    assert v.status == "consistent"
    assert 1.5 < v.estimate.exponent < 2.2


def test_lemma13_twin_violated():
    v = lemma13_five_halves().check(samples=18)
    assert v.status == "contradicted" and v.counterexample is not None


def test_remainder_is_half_hessian_quadratic_form():
    rng = np.random.default_rng(2)
    c = Configuration(np.eye(2).tolist(), (rng.standard_normal((3, 2)) * 0.8).tolist())
    U = [[Fraction(float(x)) / 10**4 for x in row] for row in rng.standard_normal((3, 2))]
    rem, _, _ = second_order_remainder(c, U, 50)
    H = evaluate(c, 50, backend="mpmath", hessian=True).hessian
    u = [float(x) for row in U for x in row]
    quad = 0.5 * sum(float(H[i][k]) * u[i] * u[k] for i in range(6) for k in range(6))
    assert abs(float(rem.mid()) / quad - 1) < 1e-3


# ---- thm 5 -----------------------------------------------------------------------------

def test_thm5_holds_with_kappa_from_theorem4_worst_case():
    v = THM5.variant(settings={"widths": (1, 2), "steps": 300, "starts": 1}).check(samples=8)
    assert v.status == "checked", v.notes
    assert "Theorem 4's worst case" in v.notes and "one at the worst case" in v.notes


def test_theorem4_kappa_is_attained_at_the_worst_case_start():
    """kappa is the optimiser's smallest ||grad L|| / L (not a GD run's): the worst-case run's
    first iterate has exactly that ratio, recomputed here on balls from its configuration."""
    from proofs_check.models.teacher_student.gradient_norm import loss_and_gradient_norm
    from proofs_check.claims.zgj.thm5 import GDSettings, kappa_ladder, theorem4_kappa

    p = GDSettings()
    kappa, worst = theorem4_kappa(2, 2, 4, kappa_ladder(p), 0, p.kappa_starts)
    L, g = loss_and_gradient_norm(worst.config, 40)
    assert abs(float((g / (kappa * L)).mid()) - 1) < 1e-9
    # The sampled starts of the same width are far less flat (about 10x kappa): without the
    # worst-case start, 3 kappa would not be refuted by (a).
    sampled = THM5.variant(settings={"widths": (2,), "starts": 2, "steps": 20, "worst_case_start": False,
                                     "kappa_scale": Fraction(3)}).check(samples=4)
    assert sampled.status == "checked", sampled.notes


def test_thm5_twins_refuted_at_the_worst_case_start():
    for twin in (thm5_kappa_too_large, thm5_decrease_constant_one):
        v = twin().check(samples=8)
        assert v.status == "refuted", v.shown
        assert v.counterexample["start"] == "worst" and v.counterexample["t"] == 0


def test_gd_monotone_and_directions():
    T = np.eye(2)
    S = np.array([[0.95, 0.1], [0.08, 1.02], [0.02, 0.3]])
    run = gradient_descent(T, S, eta=0.05, steps=300)
    assert np.all(np.diff(run.loss) <= 1e-15)
    a0, a1 = student_teacher_angles(T, run.iterates[0]), student_teacher_angles(T, run.iterates[-1])
    assert a1[0][1] < a0[0][1] and a1[1][1] < a0[1][1]
