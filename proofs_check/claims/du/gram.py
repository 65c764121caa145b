"""Du et al., Assumption 3.1: the limiting Gram matrix ``H_inf``, checked by Monte Carlo.

``H_inf_ij = E_{w ~ N(0, I)}[x_i.x_j 1{w.x_i >= 0, w.x_j >= 0}]`` is derived from the
Gaussian integral in :mod:`symbolic.gram`; here it is compared, entry by entry, with a
Monte Carlo mean over ``N`` draws of ``w``.  Each entry's deviation is divided by its own
standard error ``|x_i.x_j| sqrt(p (1 - p) / N)`` (``p`` the derived probability), and the
largest such z-score over the matrix must stay below 5: empirical evidence, not a proof
(the derivation is the proof; this guards against a derivation of the wrong quantity).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from numeric.dataset import DataSet
from numeric.finite_width import gram_limit, unit_points
from proofs_check.claim import Claim
from proofs_check.verdict import Observation, as_ball
from proofs_check.judgement import PaperStatement
from proofs_check.models.relu_on_data.datasets import dataset_rng, judge_empirical_margins, sphere_dataset

__all__ = ["CLAIMS", "GramSettings", "gram_z_score"]


@dataclass(frozen=True)
class GramSettings:
    """``draws`` of ``w`` per data set; ``scale`` multiplies the derived ``H_inf`` (1: the
    claim; a planted twin changes it)."""

    draws: int = 100_000
    scale: Fraction = Fraction(1)


def gram_z_score(data: DataSet, draws: int, scale=1) -> float:
    """The largest ``|H_mc - scale * H_inf| / se`` over the entries (``scale`` plants a twin)."""
    X = unit_points(data)
    H = gram_limit(data) * float(scale)
    dots = X @ X.T
    rng = dataset_rng(data, "du.gram")
    mc = np.zeros_like(H)
    chunk = 20_000
    for start in range(0, draws, chunk):
        w = rng.standard_normal((min(chunk, draws - start), X.shape[1]))
        on = (X @ w.T >= 0).astype(float)
        mc += on @ on.T
    mc = dots * mc / draws
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(np.abs(dots) > 1e-12, gram_limit(data) / dots, 0.5)
    se = np.maximum(np.abs(dots) * np.sqrt(np.clip(p * (1 - p), 0, None) / draws), 1e-12)
    return float(np.max(np.abs(mc - H) / se))


def _at(claim, data, dps):
    z = gram_z_score(data, claim.settings.draws, claim.settings.scale)
    # A float64 mean of 1e5 indicator products: rounding is ~1e-12, far below one z unit.
    return Observation(lhs=as_ball(z), rhs=as_ball(claim.constant), scale=None, dps=dps,
                       witness={"data_set": data.to_dict(digits=20), "z": round(z, 3)})


def _observe(claim, request):
    rng = request.rng(claim.id)
    for k in range(request.samples):
        n = int(rng.integers(3, 9))
        data = sphere_dataset(rng, n, int(rng.integers(2, 6)))
        yield claim.observe_at(data, 15)
        request.tick()


GRAM = Claim(
    id="du.gram",
    title="H_inf from the Gaussian integral agrees with Monte Carlo",
    source="Du, Zhai, Poczos, Singh (ICLR 2019; arXiv:1810.02054), Assumption 3.1 (numbered as secondary sources quote it; page not verified); the network is Eq. (1) of arXiv v2",
    statement=r"\max_{i,j}\frac{|\hat H_{ij}-H^\infty_{ij}|}{\mathrm{se}_{ij}}\le 5,\quad "
              r"H^\infty_{ij}=x_i^\top x_j\,\frac{\pi-\theta_{ij}}{2\pi}",
    hypotheses=r"$\|x_i\|=1$; $\hat H$ a mean over $N=10^5$ draws $w\sim N(0,I)$",
    lhs=r"\max_{ij} z_{ij}",
    rhs=r"5",
    relation="<=",
    expected="consistent",
    kind="empirical",
    paper=PaperStatement("holds", "definition of H_inf"),
    observe=_observe,
    at=_at,
    judge=lambda claim, obs: judge_empirical_margins(
        claim, obs, "every Monte Carlo z-score of H_inf below 5"),
    constant=5,
    default_samples=6,
    settings=GramSettings(),
    paper_constant=r"closed form (derived)",
)

CLAIMS = (GRAM,)
