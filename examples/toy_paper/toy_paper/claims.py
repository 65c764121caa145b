"""Sheppard's formula ``P(w.x >= 0, w.y >= 0) = 1/4 + asin(rho)/(2 pi)``, ``rho = cos(theta)``,
against the probability ``(pi - theta)/(2 pi)`` that proofs-check derives from the Gaussian
plane integral (the indicator factor of Du et al.'s H_inf), certified on balls.  The claim
is on the example's own model (``toy_model``): its configurations are
:class:`toy_model.configuration.AnglePair` s, drawn by the model's sampler for ``run`` and
by its strategy for ``search``."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy as sp
from flint import arb

from proofs_check.claim import Claim
from proofs_check.verdict import Observation, as_ball
from symbolic.gram import gram_closed_form
from symbolic.kernel import theta
from toy_model.sampler import angle_grid

__all__ = ["CLAIMS", "SheppardSettings"]


@dataclass(frozen=True)
class SheppardSettings:
    """``factor`` multiplies Sheppard's arcsine term (1: the formula; a twin changes it)."""

    factor: Fraction = Fraction(1)

#: The derived probability: H_inf / cos(theta), compiled for balls.
_DERIVED = sp.lambdify((theta, sp.Symbol("PI_")),
                       sp.simplify(gram_closed_form() / sp.cos(theta)).subs(sp.pi, sp.Symbol("PI_")))


def _at(claim, config, dps):
    t = as_ball(config.theta)
    pi = arb.pi()
    derived = _DERIVED(t, pi)
    sheppard = arb(1) / 4 + as_ball(claim.settings.factor) * arb.asin(arb.cos(t)) / (2 * pi)
    return Observation(lhs=derived, rhs=sheppard, scale=t, dps=dps, witness={"config": config.to_dict()})


def _observe(claim, request):
    for config in angle_grid(request.samples):
        yield claim.observe_at(config, 30)


SHEPPARD = Claim(
    id="toy.sheppard",
    title="Sheppard's orthant probability equals the derived indicator integral",
    source="Sheppard (Phil. Trans. R. Soc. A 1899), Sec. 1, p.101",
    statement=r"\frac{\pi-\theta}{2\pi}=\frac14+\frac{\arcsin(\cos\theta)}{2\pi},\quad 0<\theta<\pi",
    hypotheses=r"$w\sim N(0,I)$, unit $x, y$ at angle $\theta$",
    lhs=r"\frac{\pi-\theta}{2\pi}",
    rhs=r"\frac14+\frac{\arcsin\rho}{2\pi}",
    relation="==",
    expected="checked",
    observe=_observe,
    at=_at,
    tolerance=Fraction(1, 10**25),
    default_samples=8,
    settings=SheppardSettings(),
)

CLAIMS = (SHEPPARD,)
