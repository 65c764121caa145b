"""Liu, Zhu, Belkin, "wide neural networks satisfy PL*" (abstract; the mechanism as we reconstruct it): along gradient descent from
random initialisation, ``lambda_min(K)`` stays bounded below as the width grows, so the loss
decays linearly; the PL* constant is measured against the width.

For each width ``m`` in a ladder, GD (step ``1 / lambda_max(H_inf)``) runs on sampled data sets
with ``lambda0 >= 0.1`` for ``K = 12 lambda_max / lambda0`` steps.  Along the path,

* ``mu(m) = min_k lambda_min(K(W(k)))``: by the identity of ``lzb.identity``,
  ``|grad L|^2 >= 2 mu(m) L`` on the whole path (PL* with constant ``2 mu``);
* ``pl_ratio(m) = min_k |grad L(W(k))|^2 / L(W(k))``, the PL* constant the path attains.

The claim is judged at the widest width: ``mu(m) >= lambda0 / 2`` in every run (the bound Du
et al.'s Lemma 3.2 gives on a ball around the start).  Empirical: float64 eigenvalues of
``n x n`` kernels along sampled paths (each with a relative radius ``1e-10``), a statement
about these runs.  The figure data puts ``mu(m) / lambda0`` and ``pl_ratio`` against ``m``; its
counterpart in the teacher-student model is ``contrast.pl``, where ``|grad L|^2 / L -> 0``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from numeric.finite_width import gradient_descent, gram_limit, initial_network, unit_points
from proofs_check.claim import Claim
from proofs_check.verdict import Observation, as_ball
from proofs_check.models.relu_on_data.datasets import float_ball, judge_empirical_margins, well_conditioned_datasets
from proofs_check.exponent_fit import FitSettings, fit_exponent
from proofs_check.judgement import PaperStatement

__all__ = ["CLAIMS", "WidePLSettings", "pl_run"]

WIDTHS = tuple(2 ** k for k in range(4, 13))
RELATIVE_RADIUS = 1e-10


@dataclass(frozen=True)
class WidePLSettings:
    """``factor`` c in ``min_k lambda_min(K) >= c lambda0`` (1/2: Du et al.'s Lemma 3.2), the
    width ladder, and the data sets' shape and ``lambda0`` floor."""

    factor: Fraction = Fraction(1, 2)
    widths: tuple = WIDTHS
    n: int = 6
    d: int = 4
    min_lambda0: float = 0.1


def pl_run(data, m: int, rng) -> dict:
    """One GD run: ``mu = min_k lambda_min(K)``, ``pl_ratio = min_k |grad L|^2 / L``, the
    per-step loss factor fitted over the run, and ``lambda0``."""
    X, y = unit_points(data), np.array([float(v) for v in data.labels])
    lam = np.linalg.eigvalsh(gram_limit(data))
    lambda0, lambda_max = float(lam[0]), float(lam[-1])
    steps = int(math.ceil(12 * lambda_max / lambda0))
    trace = gradient_descent(initial_network(rng, m, X.shape[1]), X, y, 1 / lambda_max, steps)
    loss = trace.residual_sq / 2
    live = loss > 1e-20 * loss[0]
    slope = np.polyfit(np.arange(steps + 1)[live], np.log(loss[live]), 1)[0]
    return {"m": m, "lambda0": lambda0, "mu": float(np.min(trace.kernel_min)),
            "pl_ratio": float(np.min(trace.gradient_sq[live] / loss[live])),
            "loss_factor": float(math.exp(slope)), "movement": trace.movement}


def _observe(claim, request):
    p = claim.settings
    rng = request.rng(claim.id)
    widths = tuple(p.widths)
    data_sets = well_conditioned_datasets(rng, request.samples, p.n, p.d, p.min_lambda0)
    for m in widths:
        for s, data in enumerate(data_sets):
            run = pl_run(data, m, np.random.default_rng([request.seed, m, s, 7]))
            yield Observation(lhs=float_ball(run["mu"], RELATIVE_RADIUS),
                              rhs=as_ball(p.factor) * float_ball(run["lambda0"], RELATIVE_RADIUS),
                              scale=None, dps=15, group=m,
                              witness={"data_set": data.to_dict(digits=20), "m": m,
                                       "init_seed": [request.seed, m, s, 7], "run": run})
        request.tick()


def _judge(claim, obs):
    """Judged on the widest width; every width goes into the figure data."""
    widest = max(o.group for o in obs)
    verdict = judge_empirical_margins(claim, [o for o in obs if o.group == widest],
                                      f"min_k lambda_min(K) >= {claim.settings.factor} lambda0 in every run at m = {widest}")
    sweep = [o.witness["run"] for o in obs]
    widths = sorted({r["m"] for r in sweep})
    per = {m: [r for r in sweep if r["m"] == m] for m in widths}
    mu_rel = {m: min(r["mu"] / r["lambda0"] for r in per[m]) for m in widths}
    gap = [float(np.median([abs(r["mu"] - r["lambda0"]) / r["lambda0"] for r in per[m]])) for m in widths]
    fit = fit_exponent(widths, gap, FitSettings(method="secant", window=len(widths)))
    fig = {"kind": "widths", "widths": widths,
           "mu_over_lambda0_min": [mu_rel[m] for m in widths],
           "pl_ratio_min": [min(r["pl_ratio"] for r in per[m]) for m in widths],
           "pl_ratio_over_lambda0_min": [min(r["pl_ratio"] / r["lambda0"] for r in per[m]) for m in widths],
           "loss_factor_max": [max(r["loss_factor"] for r in per[m]) for m in widths],
           "contrast": "contrast.pl (teacher-student: |grad L|^2 / L -> 0 as L -> 0)"}
    note = (f"empirical: min_k lambda_min(K)/lambda0 over the runs = "
            f"{[round(mu_rel[m], 3) for m in widths]} at m = {widths}")
    if fit is not None:
        note += (f"; median |mu - lambda0|/lambda0 ~ m^{fit.slope:.2f}, local exponents in "
                 f"[{fit.interval[0]:.2f}, {fit.interval[1]:.2f}] (secant)")
    return verdict.amended(notes=note, figures={"lzb.wide_pl": fig})


WIDE_PL = Claim(
    id="lzb.wide_pl",
    title="Wide networks: lambda_min(K) stays >= lambda0/2 along GD (PL* with mu = lambda0)",
    source="Liu, Zhu, Belkin (ACHA 2022; arXiv:2003.00307), abstract: wide neural networks satisfy PL* (theorem number not verified)",
    statement=r"\min_{k\ge0}\lambda_{\min}\bigl(K(W(k))\bigr)\ge\tfrac12\lambda_0\quad\text{for large }m",
    hypotheses=r"GD from $w_r\sim N(0,I)$ with $\eta=1/\lambda_{\max}(H^\infty)$; $n=6$, $d=4$, "
               r"$\lambda_0\ge 0.1$; judged at $m=4096$",
    lhs=r"\min_k\lambda_{\min}(K(W(k)))",
    rhs=r"\lambda_0/2",
    relation=">=",
    expected="consistent",
    kind="empirical",
    paper=PaperStatement("holds", "PL* for wide networks"),
    observe=_observe,
    judge=_judge,
    constant=1,
    default_samples=4,
    settings=WidePLSettings(),
    paper_constant=r"$\mu$ bounded below for large $m$",
)

CLAIMS = (WIDE_PL,)
