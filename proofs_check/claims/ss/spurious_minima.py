"""Safran and Shamir (ICML 2018), abstract: spurious local minima exist for
``k = n`` between 6 and 20; and what one more neuron does to them (Safran, Yehudai,
Shamir, COLT 2021).

For each ``n`` in the settings' sizes the claim needs one certified spurious minimum,
found by the shared stationary-point hunt (:func:`proofs_check.landscape.hunt_generic` on
the paper's model :data:`proofs_check.models.relu_unit_output.hunt.RELU_UNIT_OUTPUT_HUNT`, the same hunt
as ``proofs-check stationary --paper ss``): the Krawczyk box holds a unique stationary
point, the Hessian is positive definite on the whole box, and the loss on the box is
above 0.  The hunt's starts are one structured start and ``samples`` random ones per ``n``
(GD from a random start reaches a spurious minimum in about 2% (n = 7) to 30% (n = 10) of
the runs here; none in 4700 random starts at n = 6, where only the structured start
does).  A size without a certified minimum makes the verdict inconclusive, never refuted
(an existence claim).

The margin of a size is the certified least Hessian eigenvalue at its lowest spurious
minimum, against ``settings.curvature_floor`` (0: the paper's claim).  With
``settings.extra_neurons = 1`` the claim becomes "these are still local minima with
``k = n + 1``" and the margin is ``g(w_hat)``, the certified first-order change of the
loss along a new neuron: a certainly negative ``g`` refutes it (the planted twin).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np
from flint import arb

from numeric.numbers import decimal_string
from numeric.safran_shamir import SafranShamirModel
from proofs_check.claim import Claim
from proofs_check.verdict import Observation, as_ball
from proofs_check.claim_judgement import judge_proof
from proofs_check.judgement import PaperStatement
from proofs_check.models.relu_unit_output.escape import escape_from_minimum
from proofs_check.models.relu_unit_output.hunt import RELU_UNIT_OUTPUT_HUNT
from proofs_check.landscape import HuntSettings, hunt_generic

__all__ = ["CLAIMS", "SpuriousSettings", "spurious_minima", "hunt_orthonormal"]

DPS = 30


@dataclass(frozen=True)
class SpuriousSettings:
    """The sizes ``n = k`` hunted; ``extra_neurons`` (1: judge the minima as points of
    the network with ``k = n + 1``, a zero neuron added); ``curvature_floor``: the claimed
    lower bound on the least Hessian eigenvalue at the lowest minimum (0: the paper's
    ``> 0``; a planted twin sets it just above the certified value)."""

    sizes: tuple = (6, 7, 8, 9, 10)
    extra_neurons: int = 0
    curvature_floor: Fraction = Fraction(0)


@lru_cache(maxsize=8)
def hunt_orthonormal(n: int, random_starts: int, seed: int, dps: int = DPS):
    """The shared hunt for ``k = n`` students against ``v_j = e_j``: the structured start
    and ``random_starts`` random ones, no saddle hops (every start is one of the paper's
    GD runs).  Deterministic in its arguments (the budget is a safety net only)."""
    from threadpoolctl import threadpool_limits

    teacher = np.eye(n, dtype=int).tolist()
    settings = HuntSettings(students=n, starts=1 + random_starts, seed=seed, budget=3600.0,
                            dps=dps, activation="relu", hops=0)
    with threadpool_limits(1):  # many small LAPACK calls: threads only contend
        return hunt_generic(RELU_UNIT_OUTPUT_HUNT, teacher, settings)


def spurious_minima(landscape) -> list:
    """The certified spurious local minima of a landscape, lowest loss first."""
    return [p for p in landscape.points
            if p.certified and p.kind == "minimum" and p.loss > 0]


def _row(n, landscape, point, escaped):
    fmt = lambda b: decimal_string(b, 8) if b is not None else "--"  # noqa: E731
    minima = spurious_minima(landscape)
    kinds = [p.kind for p in landscape.points]
    return {"n": n, "starts": landscape.starts_run,
            "global_count": sum(p.hits for p in landscape.points if p.kind == "global"),
            "stationary": sum(k != "global" for k in kinds), "saddles": kinds.count("saddle"),
            "minima_found": len(minima), "spurious_hits": sum(p.hits for p in minima),
            "origin": "hunt" if point is not None else "",
            "loss": fmt(point.loss) if point else "none certified",
            "min_eigenvalue": fmt(point.min_eigenvalue) if point else "--",
            "radius": f"{float(point.radius):.1e}" if point else "--",
            "escape": fmt(escaped.escape) if escaped else "--",
            "loss_after_escape": f"{escaped.loss_after_escape:.2e}" if escaped else "--"}


def _observe(claim, request):
    sizes, extra = tuple(claim.settings.sizes), claim.settings.extra_neurons
    for n in sizes:
        landscape = hunt_orthonormal(n, request.samples, request.seed, DPS)
        minima = spurious_minima(landscape)
        point = minima[0] if minima else None
        escaped = None
        if point is not None:
            model = SafranShamirModel.orthonormal(n, n)
            escaped = escape_from_minimum(model, point, np.random.default_rng([request.seed, n, 2]), DPS)
        if point is None:
            lhs, rhs = arb(0, 1), arb(0)  # nothing certified at this size: inconclusive
        elif extra:
            lhs, rhs = escaped.escape, arb(0)
        else:
            lhs, rhs = point.min_eigenvalue, as_ball(claim.settings.curvature_floor)
        yield Observation(lhs=lhs, rhs=rhs, scale=None, dps=DPS, group=n,
                          witness={"n": n, "row": _row(n, landscape, point, escaped),
                                   "centre": point.config.to_dict(20)["student"] if point else None})
        request.tick()


def _judge(claim, obs):
    rows = [o.witness["row"] for o in obs]
    sizes = [o.group for o in obs]
    verdict = judge_proof(claim, obs, proves=(
        f"at each n in {sizes}, " + ("a certified escape direction (g < 0) from the spurious minimum with one "
                                     "more neuron" if claim.settings.extra_neurons else
                                     "a spurious local minimum exists: a Krawczyk box holds a stationary point "
                                     "with L > 0, the Hessian is positive definite on the box")))
    found = [r["n"] for r in rows if r["origin"]]
    escaped = [r["n"] for r in rows if r["origin"] and r["escape"].startswith("-")]
    note = (f"certified spurious minima (Krawczyk box, Hessian PD on the box, L > 0) at n = k = "
            f"{found} of {[r['n'] for r in rows]}; with k = n + 1 a certified escape direction "
            f"(g < 0) at n = {escaped}; loss 1/2 E[(...)^2] (Safran-Shamir's objective is twice it)")
    return verdict.amended(notes=note,
                           figures={"ss.spurious_minima": {"kind": "table", "rows": rows}})


SPURIOUS_MINIMA = Claim(
    id="ss.spurious_minima",
    title="Spurious local minima for k = n = 6..10 (proved by Krawczyk), and one more neuron",
    source="Safran, Shamir (ICML 2018; arXiv:1712.08968), abstract (verified on the ICML 2018 page): spurious minima for 6 <= k <= 20, k = n; Safran, Yehudai, Shamir (COLT 2021) for k = n + 1",
    statement=r"\text{for each }6\le n\le 10,\ k=n:\ \exists W:\ \nabla L(W)=0,\ \nabla^2L(W)\succ0,\ L(W)>0",
    hypotheses=r"$v_j=e_j$ orthonormal, $x\sim N(0,I_n)$, unit output weights; certified at $30$ digits",
    lhs=r"\lambda_{\min}(\nabla^2 L)\ \text{on the box}",
    rhs=r"0",
    relation=">=",
    expected="proved",
    kind="proved",
    paper=PaperStatement("holds", "spurious minima exist, 6 <= k = n <= 20"),
    observe=_observe,
    judge=_judge,
    constant=1,
    default_samples=4,
    settings=SpuriousSettings(),
    paper_constant=r"existence",
)

CLAIMS = (SPURIOUS_MINIMA,)
