"""The hunt for any model with the protocol of :mod:`numeric.stationary` (Safran and
Shamir's smooth ReLU network): its own starts, then descent, Newton, the Krawczyk
certificate, the inertia on balls, deduplication by the model's symmetry key and saddle
hopping (:func:`hunt_generic`), and :func:`run_hunt`, which dispatches to a paper's
specialised hunt when it declares one.
"""
from __future__ import annotations

import math
import time
from collections import deque
from typing import Callable

import mpmath
import numpy as np

from numeric.numbers import to_fraction, to_mpf
from numeric.stationary import descend
from proofs_check.errors import UsageError, check_termination
from proofs_check.landscape.ambient import pad_teacher
from proofs_check.landscape.classification import certify_descended
from proofs_check.landscape.types import (KEY_DECIMALS, NEAR_GLOBAL, HuntInterrupted, HuntModel, HuntSettings, Landscape,
                                          ModelPoint, StationaryPoint, StrategyCount)

__all__ = ["hunt_model", "flat_hops", "hunt_generic", "run_hunt"]

def hunt_model(model, start_points, *, dps: int = 40, key=None) -> list:
    """The hunt for any model with the :mod:`numeric.stationary` protocol (no zero rows
    or aligned groups to reduce): descend from each start, deduplicate by ``key(x)``
    (default: ``model.symmetry_key(x)`` if the model has one, else ``x`` rounded),
    certify and classify (:func:`certify_descended`).  Returns dicts ``{"x", "loss",
    "point_type", "certified", "radius", "min_eigenvalue", "hits", ...}``, lowest loss first.

    With one student for two teachers (``m < r``, outside the paper's setting), a student
    on a teacher is a spurious local minimum and the bisector a saddle:

    >>> from numeric.stationary import TeacherStudentModel
    >>> model = TeacherStudentModel.from_rows([[1, 0], [0, 1]], 1)
    >>> [p["point_type"] for p in hunt_model(model, [np.array([0.9, 0.8]), np.array([0.7, 0.7])])]
    ['minimum', 'saddle']
    """
    key = key or getattr(model, "symmetry_key", None) or (lambda x: tuple(np.round(x, KEY_DECIMALS)))
    found = {}
    for x0 in start_points:
        d = descend(model, np.asarray(x0, dtype=float))
        if not d.converged:
            continue
        k = key(d.x)
        if k in found:
            found[k]["hits"] += 1
            continue
        found[k] = dict(certify_descended(model, d.x, dps), hits=1)
    return sorted(found.values(), key=lambda p: to_mpf(p["loss"].mid()))


def flat_hops(model, x, count: int, step: float = 0.05) -> list:
    """Starts ``("hop", x +- step v)`` along the ``count // 2`` most negative curvature
    directions ``v`` of the float64 Hessian at ``x`` (see :func:`saddle_hops`)."""
    if count < 2:
        return []
    values, vectors = np.linalg.eigh(model.hessian64(x))
    scale = max(1.0, float(np.linalg.norm(x)))
    out = []
    for k in range(min(count // 2, int((values < -1e-8).sum()))):
        out += [("hop", x + step * scale * vectors[:, k]), ("hop", x - step * scale * vectors[:, k])]
    return out


def hunt_generic(spec: HuntModel, teacher, settings: HuntSettings,
                 progress: Callable[[int], None] | None = None, extra_starts=()) -> Landscape:
    """The hunt for a paper's model without a specialised hunt: ``extra_starts``
    (``(family, x0)`` pairs, run first), then ``spec.starts``; descent; deduplication by
    ``spec.symmetry_key`` (all points with a float64 loss below ``NEAR_GLOBAL`` are one
    entry, certified once); :func:`certify_descended`; saddle hopping from certified
    saddles (``settings.hops`` starts each).  ``settings.budget`` bounds the certificates
    too: a point descended in time but not certified by then is kept, uncertified.
    Deterministic in the settings (unless the time budget binds)."""
    t0 = time.monotonic()
    teacher = pad_teacher(teacher, settings.dim)
    model = spec.build(teacher, settings.students, settings.activation)
    pending = deque(list(extra_starts) + list(spec.starts(model, settings.starts, settings.seed)))
    found, order = {}, []
    counters = {"run": 0, "converged": 0}

    def landscape(interrupted: bool) -> Landscape:
        points = sorted((StationaryPoint(**found[k]) for k in order), key=lambda p: to_mpf(p.loss.mid()))
        return Landscape(tuple(tuple(to_fraction(v, "teacher") for v in row) for row in teacher),
                         settings.students, tuple(points), counters["run"], counters["converged"],
                         time.monotonic() - t0, 0, settings.dps,
                         (StrategyCount("descent", counters["run"], counters["converged"], len(order)),),
                         interrupted)

    try:
        _generic_loop(spec, model, teacher, settings, progress, pending, found, order, t0,
                      len(extra_starts), counters)
    except KeyboardInterrupt as exc:
        raise HuntInterrupted(landscape(True), exc) from None
    return landscape(False)


def _generic_loop(spec, model, teacher, settings, progress, pending, found, order, t0, extra, counters):
    """The loop of :func:`hunt_generic`; ``found``, ``order`` and ``counters`` hold what
    it has done, also when it is interrupted."""
    while pending and counters["run"] < settings.starts + extra:
        family, x0 = pending.popleft()
        if time.monotonic() - t0 > settings.budget:
            break
        check_termination()
        counters["run"] += 1
        if progress:
            progress(1)
        d = descend(model, np.asarray(x0, dtype=float), gd_steps=spec.gd_steps)
        if not d.converged:
            continue
        counters["converged"] += 1
        if d.loss < NEAR_GLOBAL:
            key, orbit = ("global",), 1
        else:
            key, orbit = spec.symmetry_key(model, d.x)
        if key in found:
            found[key]["hits"] += 1
            continue
        info = certify_descended(model, d.x, settings.dps, deadline=t0 + settings.budget)
        notes = {"global": "loss enclosure contains 0: a global minimum",
                 "minimum": "Hessian certainly positive definite on the Krawczyk box",
                 "saddle": f"Hessian has {info['negative']} certainly negative eigenvalue(s) on the Krawczyk box",
                 "degenerate": "an eigenvalue the balls cannot separate from 0"
                 if info["certified"] else f"not certified: {info['reason']}"}
        centre = [to_fraction(c.mid(), "x") for c in info["x"]]
        rows = tuple(tuple(centre[j:j + len(teacher[0])]) for j in range(0, len(centre), len(teacher[0])))
        radius = None
        if info["certified"]:  # the box's half-width per coordinate as a Frobenius distance,
            # + the rounding of the centre printed at dps digits (as for the teacher-student hunt)
            radius = mpmath.mpf(info["radius"]) * math.sqrt(len(centre)) + mpmath.mpf(10) ** (3 - settings.dps)
        found[key] = dict(
            config=ModelPoint(spec.id, tuple(tuple(to_fraction(v, "teacher") for v in row) for row in teacher), rows),
            loss=info["loss"], point_type=info["point_type"], certified=bool(info["certified"]), radius=radius,
            gradient_norm=info["gradient_norm"], min_eigenvalue=info["min_eigenvalue"],
            classification=notes[info["point_type"]] + f" (first reached from a {family} start)",
            multiplicity=orbit, hits=1)
        order.append(key)
        if info["point_type"] == "saddle" and info["certified"]:
            pending.extendleft(reversed(flat_hops(model, d.x, settings.hops)))


def run_hunt(spec: HuntModel, teacher, settings: HuntSettings,
             progress: Callable[[int], None] | None = None) -> Landscape:
    """The hunt of ``spec`` (a paper's :class:`HuntModel`) for ``teacher``: its
    specialised hunt if it has one, else :func:`hunt_generic`."""
    if settings.activation not in spec.activations:
        raise UsageError(f"activation = {settings.activation!r}: the hunt model {spec.id} takes "
                         f"{' or '.join(map(repr, spec.activations))}")
    spec.build(pad_teacher(teacher, settings.dim), settings.students, settings.activation)  # validates it
    if spec.hunt is not None:
        return spec.hunt(teacher, settings, progress)
    return hunt_generic(spec, teacher, settings, progress)

