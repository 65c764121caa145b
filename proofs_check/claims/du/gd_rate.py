"""Du et al., Theorem 4.1: the linear rate of gradient descent at finite width.

    ||u(k) - y||^2 <= (1 - eta lambda0 / 2)^k ||u(0) - y||^2   for all k >= 0,

with probability ``1 - delta`` once ``m = Omega(n^6 / (lambda0^4 delta^3))``.  The theorem's
width is astronomically large (``~1e11`` for ``n = 6``); this claim measures the width at
which the rate actually holds.  For each width ``m`` in a ladder (8 ... 16384), GD runs from
Du et al.'s initialisation on sampled data sets with ``lambda0 >= 0.1`` (so that the widest
width exceeds ``n^2 / lambda0^2``, the width at which Lemma 3.1 puts ``H(0)`` near ``H_inf``), for ``K = 12 lambda_max / lambda0`` steps
(enough for the slowest eigendirection of ``H_inf`` to dominate), and the run keeps the rate
when the inequality holds at every step.  The step is ``eta = 1 / lambda_max(H_inf)``:
larger than the theorem's ``O(lambda0 / n^2)``, so keeping the rate is the harder test.

Judged on the widest width (all runs must keep the rate): empirical, a statement about
the sampled runs.  A planted twin claims a faster rate ``1 - c eta lambda0`` with ``c``
above the slowest mode's ``2`` (the squared residual there decays like
``(1 - eta lambda0)^{2k}``), and is contradicted.  Float64 trajectories: each residual
carries a relative radius ``1e-10`` (rounding of ``K <= 10^4`` contracting steps is
``< 1e-12``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from numeric.finite_width import gradient_descent, gram_limit, initial_network, unit_points
from proofs_check.claim import Claim
from proofs_check.verdict import Observation
from proofs_check.judgement import PaperStatement
from proofs_check.models.relu_on_data.datasets import float_ball, judge_empirical_margins, well_conditioned_datasets

__all__ = ["CLAIMS", "RateSettings", "rate_run", "theory_width"]

WIDTHS = tuple(2 ** k for k in range(3, 15))
MIN_LAMBDA0 = 0.1
RELATIVE_RADIUS = 1e-10


@dataclass(frozen=True)
class RateSettings:
    """``rate_factor`` c in ``(1 - c eta lambda0)^k`` (1/2: the theorem), the width ladder,
    the data sets' shape and ``lambda0`` floor, and the theorem's failure probability
    ``delta`` (for its width only)."""

    rate_factor: Fraction = Fraction(1, 2)
    widths: tuple = WIDTHS
    n: int = 6
    d: int = 4
    delta: float = 0.1
    min_lambda0: float = MIN_LAMBDA0


def theory_width(n: int, lambda0: float, delta: float) -> float:
    """``n^6 / (lambda0^4 delta^3)``: Theorem 4.1's width with its constant set to 1."""
    return n ** 6 / (lambda0 ** 4 * delta ** 3)


def rate_run(data, m: int, rng, rate_factor=Fraction(1, 2)) -> dict:
    """One GD run: the worst step's ratio ``||u(k) - y||^2 / bound_k`` and where it is."""
    X, y = unit_points(data), np.array([float(v) for v in data.labels])
    lam = np.linalg.eigvalsh(gram_limit(data))
    lambda0, lambda_max = float(lam[0]), float(lam[-1])
    eta = 1.0 / lambda_max
    steps = int(math.ceil(12 * lambda_max / lambda0))
    trace = gradient_descent(initial_network(rng, m, X.shape[1]), X, y, eta, steps, track_kernel=False)
    k = np.arange(steps + 1)
    log_bound = k * math.log1p(-float(rate_factor) * eta * lambda0) + math.log(trace.residual_sq[0])
    log_ratio = np.log(trace.residual_sq) - log_bound
    worst = 1 + int(np.argmax(log_ratio[1:]))  # k = 0 is an equality
    return {"m": m, "lambda0": lambda0, "eta": eta, "steps": steps, "worst_step": worst,
            "residual_sq": float(trace.residual_sq[worst]), "bound": float(math.exp(log_bound[worst])),
            "holds": bool(log_ratio[worst] <= 0), "movement": trace.movement}


def _observe(claim, request):
    p = claim.settings
    rng = request.rng(claim.id)
    widths = tuple(p.widths)
    data_sets = well_conditioned_datasets(rng, request.samples, p.n, p.d, p.min_lambda0)
    for m in widths:
        for s, data in enumerate(data_sets):
            run = rate_run(data, m, np.random.default_rng([request.seed, m, s]), p.rate_factor)
            yield Observation(
                lhs=float_ball(run["residual_sq"], RELATIVE_RADIUS),
                rhs=float_ball(run["bound"], RELATIVE_RADIUS), scale=None, dps=15,
                witness={"data_set": data.to_dict(digits=20), "m": m, "init_seed": [request.seed, m, s],
                         "step": run["worst_step"], "run": {**run, "data_set": s}},
                group=m)
        request.tick()


def _judge(claim, obs):
    """Judged on the widest width; every width goes into the figure data."""
    widest = max(o.group for o in obs)
    verdict = judge_empirical_margins(claim, [o for o in obs if o.group == widest],
                                      f"the rate held at every step of every run at m = {widest}")
    sweep = [o.witness["run"] for o in obs]
    widths = sorted({r["m"] for r in sweep})
    frac = {m: float(np.mean([r["holds"] for r in sweep if r["m"] == m])) for m in widths}
    measured = next((m for i, m in enumerate(widths) if all(frac[w] == 1 for w in widths[i:])), None)
    per_set = []
    for s in sorted({r["data_set"] for r in sweep}):
        runs = [r for r in sweep if r["data_set"] == s]
        holds = [r["holds"] for r in runs]
        first = next((r["m"] for i, r in enumerate(runs) if all(holds[i:])), None)
        per_set.append({"lambda0": runs[0]["lambda0"], "measured_width": first,
                        "theory_width": theory_width(claim.settings.n, runs[0]["lambda0"],
                                                     claim.settings.delta)})
    n, delta = claim.settings.n, claim.settings.delta
    lambda0 = float(np.median([r["lambda0"] for r in sweep])) if sweep else float("nan")
    fig = {"kind": "widths", "widths": widths, "fraction_holding": [frac[m] for m in widths],
           "measured_width": measured, "theory_width": theory_width(n, lambda0, delta),
           "delta": delta, "n": n, "median_lambda0": lambda0, "per_data_set": per_set,
           "movement": {m: float(np.median([r["movement"] for r in sweep if r["m"] == m]))
                        for m in widths}}
    note = (f"empirical: {len(obs)} runs at m = {widths[-1] if widths else '?'}; the rate held in "
            f"every run from m = {measured} on (fractions {[round(frac[m], 2) for m in widths]} at "
            f"m = {widths}); theorem's width n^6/(lambda0^4 delta^3) = {fig['theory_width']:.2e} "
            f"(constant 1, delta = {delta}, median lambda0 = {lambda0:.3g})")
    return verdict.amended(notes=note, figures={"du.gd_rate": fig})


GD_RATE = Claim(
    id="du.gd_rate",
    title="GD converges linearly at rate 1 - eta lambda0 / 2 at finite width",
    source="Du, Zhai, Poczos, Singh (ICLR 2019; arXiv:1810.02054), Theorem 4.1 (numbered and quoted by secondary sources; page not verified)",
    statement=r"\|u(k)-y\|_2^2\le\bigl(1-\tfrac{\eta\lambda_0}{2}\bigr)^k\|u(0)-y\|_2^2\quad\text{for all }k\ge0",
    hypotheses=r"$m=\Omega(n^6/(\lambda_0^4\delta^3))$; here $n=6$, $d=4$, data sets with "
               r"$\lambda_0\ge 0.1$, judged at $m=16384\ge n^2/\lambda_0^2$, $\eta=1/\lambda_{\max}(H^\infty)$",
    lhs=r"\|u(k)-y\|_2^2",
    rhs=r"(1-\eta\lambda_0/2)^k\|u(0)-y\|_2^2",
    relation="<=",
    expected="consistent",
    kind="empirical",
    paper=PaperStatement("holds", "rate 1 - eta lambda0/2 for m large"),
    observe=_observe,
    judge=_judge,
    constant=1,
    default_samples=6,
    settings=RateSettings(),
    paper_constant=r"$1/2$ in the rate; width constant hidden",
)

CLAIMS = (GD_RATE,)
