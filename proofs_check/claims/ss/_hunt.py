"""The hunt for spurious minima of Safran and Shamir's loss, and their fate with one more neuron.

For ``k = n`` students against the orthonormal teacher: random starts ``w_i ~ N(0, I/n)``
(Xavier-like), descent in float64 (:func:`numeric.stationary.descend`: Armijo gradient steps,
then Newton), deduplication by the loss value (points with equal loss to ``1e-9`` are taken to
be one orbit of the symmetries: permutations of the students, and of the teacher's
coordinates), then for each distinct non-global point a Newton refinement at ``dps`` digits
and the Krawczyk certificate with the Hessian's inertia on the box
(:func:`numeric.stationary.certify`).  A certified point whose Hessian is positive definite
on the box and whose loss enclosure on the box is above 0 is a spurious local minimum.

With ``k = n + 1``: the best escape direction ``w_hat`` of a minimum is searched in float64
and ``g(w_hat)`` certified on balls (:func:`numeric.safran_shamir.escape_coefficient`); then
descent from the lifted point ``(W, 10^-2 w_hat)`` shows where gradient flow goes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from numeric.precision import decimal_string
from numeric.safran_shamir import SafranShamirModel, escape_coefficient, escape_direction64
from numeric.stationary import certify, descend, refine

__all__ = ["SpuriousMinimum", "HuntSummary", "hunt_spurious", "certify_candidate"]

GLOBAL_LOSS = 1e-9


@dataclass(frozen=True)
class SpuriousMinimum:
    """A certified spurious local minimum and its fate with one more neuron."""

    n: int
    loss: object  # arb: the loss on the whole Krawczyk box
    min_eigenvalue: object  # arb: encloses lambda_min of the Hessian on the box
    radius: object  # mpf: half-width of the box holding the exact stationary point
    centre: tuple  # decimal strings of the refined centre
    escape: object  # arb: g(w_hat) with one more neuron
    escape_direction: tuple  # floats (exact as binary fractions)
    loss_after_escape: float  # float64 loss after descent from (W, 1e-2 w_hat), k = n + 1


@dataclass(frozen=True)
class HuntSummary:
    n: int
    starts: int
    global_count: int
    unconverged: int
    stationary: int  # distinct non-global stationary points
    saddles: int
    undecided: int
    minima: tuple = field(default_factory=tuple)
    spurious_hits: int = 0  # starts whose descent ended at a certified spurious minimum


def _fate(model: SafranShamirModel, box, rng, dps: int):
    """``g`` along the best escape direction, certified on the whole box (so at the exact
    stationary point inside it), and where descent goes from the lifted point."""
    import flint

    centre64 = np.array([float(c.mid()) for c in box])
    w, _ = escape_direction64(model, centre64, rng)
    with flint.ctx.workdps(dps):
        g = escape_coefficient(model, box, [float(v) for v in w])
    bigger = SafranShamirModel(model.teacher, model.k + 1)
    lifted = np.concatenate([centre64, 1e-2 * w])
    after = descend(bigger, lifted, gd_steps=2000)
    return g, tuple(float(v) for v in w), float(after.loss)


def certify_candidate(model: SafranShamirModel, x64, dps: int, rng):
    """Refine, certify and classify one float64 stationary point: ``("minimum",
    SpuriousMinimum)``, ``("saddle", None)`` or ``("undecided", None)``."""
    import flint
    from flint import arb

    centre = refine(model, x64, dps)
    cert = certify(model, centre, dps)
    if not cert.certified or cert.inertia.undecided:
        return "undecided", None
    if cert.inertia.negative:
        return "saddle", None
    with flint.ctx.workdps(dps):
        box = [arb(c.mid(), arb(cert.radius).mid()) for c in centre]
        loss = model.ball_loss(box)
    if not loss > 0:
        return "undecided", None
    g, w, after = _fate(model, box, rng, dps)
    return "minimum", SpuriousMinimum(
        n=len(model.teacher), loss=loss, min_eigenvalue=cert.inertia.min_eigenvalue,
        radius=cert.radius, centre=tuple(decimal_string(c, 20) for c in centre), escape=g,
        escape_direction=w, loss_after_escape=after)


@lru_cache(maxsize=8)
def hunt_spurious(n: int, starts: int, seed: int, dps: int = 30) -> HuntSummary:
    """Hunt with ``k = n``; see the module docstring.  Deterministic in ``(n, starts, seed)``."""
    from threadpoolctl import threadpool_limits

    model = SafranShamirModel.orthonormal(n, n)
    rng = np.random.default_rng([seed, n])
    fate_rng = np.random.default_rng([seed, n, 2])  # escape searches do not shift the starts
    hits, minimum_keys, minima = {}, set(), []
    counts = {"global": 0, "unconverged": 0, "saddle": 0, "undecided": 0}
    with threadpool_limits(1):  # many small LAPACK calls: threads only contend
        for _ in range(starts):
            found = descend(model, rng.standard_normal(n * n) / np.sqrt(n), gd_steps=2000)
            if not found.converged:
                counts["unconverged"] += 1
                continue
            if found.loss < GLOBAL_LOSS:
                counts["global"] += 1
                continue
            key = round(found.loss, 9)
            hits[key] = hits.get(key, 0) + 1
            if hits[key] > 1:
                continue
            kind, point = certify_candidate(model, found.x, dps, fate_rng)
            if kind == "minimum":
                minima.append(point)
                minimum_keys.add(key)
            else:
                counts[kind] += 1
    minima.sort(key=lambda p: float(p.loss.mid()))
    return HuntSummary(n=n, starts=starts, global_count=counts["global"],
                       unconverged=counts["unconverged"], stationary=len(hits),
                       saddles=counts["saddle"], undecided=counts["undecided"], minima=tuple(minima),
                       spurious_hits=sum(hits[k] for k in minimum_keys))
