"""The pair kernel derived from the Gaussian integral, against its closed form and Monte Carlo."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symbolic.derivation import Derivation, Step, require_equal, symbolically_equal
from symbolic.gaussian_integral import (
    PHI,
    kernel_derivation,
    phi_sign_pieces,
    plane_expectation,
    radial_moment,
)
from symbolic.kernel import ACTIVATIONS, a, b, kernel_closed_form, theta

SIGMA = {"abs": np.abs, "relu": lambda z: np.maximum(z, 0.0)}


def _numeric_kernel(expr):
    return sp.lambdify((a, b, theta), expr, "numpy")


def _monte_carlo_kernel(activation, norm_u, norm_v, angle, seed, samples=400_000, d=3):
    """Mean and standard error of sigma(u.x) sigma(v.x), x ~ N(0, I_d)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples, d))
    u = norm_u * np.eye(d)[0]
    v = norm_v * (np.cos(angle) * np.eye(d)[0] + np.sin(angle) * np.eye(d)[1])
    f = SIGMA[activation](x @ u) * SIGMA[activation](x @ v)
    return f.mean(), f.std(ddof=1) / np.sqrt(samples)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_derived_kernel_equals_closed_form(activation):
    d = kernel_derivation(activation)
    assert isinstance(d, Derivation) and d.name == f"kernel.{activation}"
    assert symbolically_equal(d.result, kernel_closed_form(activation))
    assert all(isinstance(s, Step) for s in d.steps)


def test_abs_kernel_is_symmetric_under_antipodes_but_relu_is_not():
    assert symbolically_equal(kernel_closed_form("abs").subs(theta, sp.pi - theta),
                              kernel_closed_form("abs"))
    assert not symbolically_equal(kernel_closed_form("relu").subs(theta, sp.pi - theta),
                                  kernel_closed_form("relu"))


def test_sign_pieces_cover_one_period_in_order():
    pieces = phi_sign_pieces()
    assert pieces[0][0] == -sp.pi / 2 and pieces[-1][1] == 3 * sp.pi / 2
    for (_, hi, *_), (lo, *_) in zip(pieces, pieces[1:]):
        assert hi == lo
    for t0 in (0, sp.pi / 4, sp.pi / 2, 3 * sp.pi / 4, sp.pi):
        # the gaps are t, pi - t, t, pi - t: non-negative on all of [0, pi]
        assert all((hi - lo).subs(theta, t0) >= 0 for lo, hi, *_ in pieces)
    assert [(s1, s2) for *_, s1, s2 in pieces] == [(1, -1), (1, 1), (-1, 1), (-1, -1)]


def test_radial_moments():
    assert radial_moment(2) == 1 / sp.pi
    assert radial_moment(0) == 1 / (2 * sp.pi)


def test_plane_expectation_probability_of_sign_disagreement():
    _, p = plane_expectation(sp.Integer(1), lambda s1, s2: sp.Rational(1 - s1 * s2, 2), 0)
    assert symbolically_equal(p, theta / sp.pi)
    _, total = plane_expectation(sp.Integer(1), lambda s1, s2: 1, 0)
    assert total == 1
    _, second = plane_expectation(sp.cos(PHI) ** 2, lambda s1, s2: 1, 2)
    assert second == 1  # E[x1^2]


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("norm_u, norm_v, angle", [(1.0, 1.0, 0.3), (0.7, 1.6, 1.9), (2.0, 0.5, 3.0)])
def test_closed_form_matches_monte_carlo(activation, norm_u, norm_v, angle):
    k = _numeric_kernel(kernel_closed_form(activation))(norm_u, norm_v, angle)
    mean, se = _monte_carlo_kernel(activation, norm_u, norm_v, angle, seed=7)
    assert abs(mean - k) < 5 * se, (mean, k, se)


def test_monte_carlo_catches_a_wrong_kernel():
    # (pi - t) in place of (pi/2 - t): a plausible slip in the abs kernel
    wrong = 2 / sp.pi * a * b * (sp.sin(theta) + (sp.pi - theta) * sp.cos(theta))
    assert not symbolically_equal(wrong, kernel_closed_form("abs"))
    with pytest.raises(ArithmeticError):
        require_equal("planted", wrong, kernel_closed_form("abs"))
    mean, se = _monte_carlo_kernel("abs", 1.0, 1.0, 0.8, seed=11)
    assert abs(mean - _numeric_kernel(wrong)(1.0, 1.0, 0.8)) > 5 * se


def test_kernel_derivation_latex_is_a_fragment():
    tex = kernel_derivation("abs").latex()
    assert tex.startswith("\\paragraph{") and "% kernel.abs" in tex
    assert tex.count("\\[") == tex.count("\\]") == len(kernel_derivation("abs").steps)


def test_unknown_activation_is_rejected():
    with pytest.raises(ValueError, match="tanh"):
        kernel_derivation("tanh")
