"""Safran and Shamir (ICML 2018), abstract: spurious local minima exist for
``k = n`` between 6 and 20; and what one more neuron does to them (Safran, Yehudai,
Shamir, COLT 2021).

For each ``n`` in 6..10 the claim needs one certified spurious minimum (see
:mod:`proofs_check.claims.ss._hunt`): the Krawczyk box holds a unique stationary point, the
Hessian is positive definite on the whole box, and the loss on the box is above 0.  The
candidates are the points the hunt finds from ``samples`` random starts per ``n`` (GD from
a random start reaches a spurious minimum in about 2% (n = 7) to 30% (n = 10) of the runs
here; none in 4700 random starts at n = 6), together with one stored float64 point per ``n``
(``witnesses.json``: from a longer hunt for n = 7..10, and for n = 6 from a structured
start with the symmetry type of the n = 7, 8 minima), which is re-refined and re-certified
every run: the certificate, not the search, is the proof.  A size without a certified minimum
makes the verdict inconclusive, never refuted (an existence claim).

The margin of a size is the certified least Hessian eigenvalue at its lowest spurious
minimum.  With ``settings.extra_neurons = 1`` the claim becomes "these are still local
minima with ``k = n + 1``" and the margin is ``g(w_hat)``, the certified first-order change
of the loss along a new neuron: a certainly negative ``g`` refutes it (the planted twin).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from flint import arb

from numeric.precision import decimal_string
from numeric.safran_shamir import SafranShamirModel
from proofs_check.claims.base import Claim, Observation, judge
from proofs_check.claims.ss._hunt import certify_candidate, hunt_spurious

__all__ = ["CLAIMS", "SpuriousSettings", "stored_witnesses"]


@dataclass(frozen=True)
class SpuriousSettings:
    """The sizes ``n = k`` searched, and ``extra_neurons`` (1: judge the minima as points of
    the network with ``k = n + 1``, a zero neuron added)."""

    sizes: tuple = (6, 7, 8, 9, 10)
    extra_neurons: int = 0

WITNESSES = Path(__file__).with_name("witnesses.json")
DPS = 30


def stored_witnesses() -> dict:
    """``{n: float64 point}`` from ``witnesses.json`` (a guide: every run re-certifies)."""
    if not WITNESSES.is_file():
        return {}
    data = json.loads(WITNESSES.read_text())
    return {int(n): np.array([float(v) for v in entry["x"]]) for n, entry in data.items()}


def _row(summary, point, origin):
    fmt = lambda b: decimal_string(b, 8) if b is not None else "--"  # noqa: E731
    return {"n": summary.n, "starts": summary.starts, "global_count": summary.global_count,
            "stationary": summary.stationary, "saddles": summary.saddles,
            "minima_found": len(summary.minima), "spurious_hits": summary.spurious_hits,
            "origin": origin,
            "loss": fmt(point.loss) if point else "none certified",
            "min_eigenvalue": fmt(point.min_eigenvalue) if point else "--",
            "radius": f"{float(point.radius):.1e}" if point else "--",
            "escape": fmt(point.escape) if point else "--",
            "loss_after_escape": f"{point.loss_after_escape:.2e}" if point else "--"}


def _observe(claim, request):
    sizes, extra = tuple(claim.settings.sizes), claim.settings.extra_neurons
    stored = stored_witnesses()
    for n in sizes:
        summary = hunt_spurious(n, request.samples, request.seed, DPS)
        point, origin = (summary.minima[0], "hunt") if summary.minima else (None, "")
        if point is None and n in stored:
            model = SafranShamirModel.orthonormal(n, n)
            kind, point = certify_candidate(model, stored[n], DPS, np.random.default_rng([request.seed, n, 1]))
            origin = "stored" if kind == "minimum" else ""
        if point is None:
            lhs = arb(0, 1)  # nothing certified at this size: an inconclusive observation
        else:
            lhs = point.escape if extra else point.min_eigenvalue
        yield Observation(lhs=lhs, rhs=arb(0), scale=None, dps=DPS, group=n,
                          witness={"n": n, "origin": origin, "row": _row(summary, point, origin),
                                   "centre": list(point.centre) if point else None})
        request.tick()


def _judge(claim, obs):
    rows = [o.witness["row"] for o in obs]
    verdict = judge(claim, obs)
    found = [r["n"] for r in rows if r["origin"]]
    escaped = [r["n"] for r in rows if r["origin"] and r["escape"].startswith("-")]
    note = (f"certified spurious minima (Krawczyk box, Hessian PD on the box, L > 0) at n = k = "
            f"{found} of {[r['n'] for r in rows]}; with k = n + 1 a certified escape direction "
            f"(g < 0) at n = {escaped}; loss 1/2 E[(...)^2] (Safran-Shamir's objective is twice it)")
    return verdict.amended(notes=note,
                           figures={"ss.spurious_minima": {"kind": "table", "rows": rows}})


SPURIOUS_MINIMA = Claim(
    id="ss.spurious_minima",
    title="Spurious local minima for k = n = 6..10 (certified), and one more neuron",
    source="Safran, Shamir (ICML 2018; arXiv:1712.08968), abstract: spurious minima for 6 <= k = n <= 20; Safran, Yehudai, Shamir (COLT 2021) for k = n + 1",
    statement=r"\text{for each }6\le n\le 10,\ k=n:\ \exists W:\ \nabla L(W)=0,\ \nabla^2L(W)\succ0,\ L(W)>0",
    hypotheses=r"$v_j=e_j$ orthonormal, $x\sim N(0,I_n)$, unit output weights; certified at $30$ digits",
    lhs=r"\lambda_{\min}(\nabla^2 L)\ \text{on the box}",
    rhs=r"0",
    relation=">=",
    expected="certified",
    observe=_observe,
    judge=_judge,
    constant=1,
    default_samples=4,
    settings=SpuriousSettings(),
    paper_constant=r"existence",
)

CLAIMS = (SPURIOUS_MINIMA,)
