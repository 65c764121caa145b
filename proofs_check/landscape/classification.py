"""Certificate and classification of a found point (Krawczyk on balls,
:func:`numeric.stationary.certify`, of the reduced point), with these point types:

* ``global``: the loss enclosure contains 0;
* ``saddle``: the (reduced or lifted) Hessian has a certainly negative eigenvalue, or a
  zero row can grow along a direction ``w`` with ``g(w) < 0`` (a ball), where
  ``L(W, t w) = L(W) + t^2 ||w||^2 g(w) + t^4 ||w||^4 / 2`` exactly (the loss is even and
  quadratic-homogeneous to leading order in a zero row);
* ``minimum``: the Hessian is certainly positive definite and there is no zero row and no
  merged group;
* ``degenerate``: a zero eigenvalue the balls cannot exclude.  Every merged group has an
  exact zero eigenvalue (moving mass inside the group), and a zero row next to a non-zero
  student has ``g = 0`` in that student's direction, so such points are ``degenerate``
  unless a negative direction is certified.
"""
from __future__ import annotations

import math
import time

import flint
import mpmath
import numpy as np
from flint import arb

from numeric.config import Configuration
from numeric.numbers import decimal_string, to_fraction
from numeric.stationary import Certificate, TeacherStudentModel, certify, descend, inertia, refine

__all__ = ["zero_row_coefficient", "classify_point", "certify_descended", "ZERO_ROW_ATOMS"]

#: Directions of atoms tried for a zero row's growth (besides 64 random ones).
ZERO_ROW_ATOMS = 64

def zero_row_coefficient(model: TeacherStudentModel, x, direction):
    """``g(w)`` for a zero row grown along ``direction`` ``w`` (exact float vector): the
    loss is ``L(W) + t^2 ||w||^2 g(w) + O(t^4)``, and exactly ``L(W, w) - L(W) - c ||w||^4``
    with ``c = k(w, w) / (2 ||w||^4)`` (1/2 for abs; 1/8 for relu, whose loss is 1/4 of abs)
    divided by ``||w||^2``.  A ball, at the caller's precision."""
    v = [arb(float(t)) for t in direction]
    n2 = sum((t * t for t in v), arb(0))
    grown = TeacherStudentModel(model.teacher, model.m + 1, model.activation)
    self_term = arb(1) / (2 if model.activation == "abs" else 8)
    return (grown.ball_loss(list(x) + v) - model.ball_loss(x) - self_term * n2 * n2) / n2


def _zero_row_test(model, reduced, reduced_centre, T, rng, deadline: float | None = None):
    """A certified negative ``g`` (saddle) if one is found among teacher, atom and random
    directions (``reduced.zero_row_directions(T)``, then random ones); else the smallest
    float value seen.  Past ``deadline`` no further direction is screened (those screened
    so far are tried)."""
    d = model.d
    T = np.asarray(T, dtype=float)
    # At most ZERO_ROW_ATOMS atoms (teachers first): at r = 40 there are 1601, each a ball loss.
    candidates = reduced.zero_row_directions(T)[:ZERO_ROW_ATOMS] + list(rng.standard_normal((64, d)))
    x64 = np.array([float(c.mid()) for c in reduced_centre])
    values = []
    with flint.ctx.workdps(17):
        for v in candidates:
            if deadline is not None and values and time.monotonic() > deadline:
                break
            values.append((float(zero_row_coefficient(model, [arb(t) for t in x64], v).mid()), tuple(v)))
    values.sort()
    for val, v in values[:5]:
        g = zero_row_coefficient(model, reduced_centre, v)
        if g < 0:
            return g, v
    return None, values[0][0]


def classify_point(model_full: TeacherStudentModel, reduced, T, dps: int, rng,
                   deadline: float | None = None, skip_certificate: str | None = None) -> dict:
    """Certify and classify one found point (see the module docstring).  Past
    ``deadline`` (:func:`time.monotonic`) no Krawczyk test is tried: the point is kept,
    uncertified, with that reason; so it is when ``skip_certificate`` gives a reason (a
    certificate too large for the memory cap or the time left).  ``reduced`` is a
    :class:`proofs_check.models.teacher_student.reduction.Reduced` (its ``lift`` and
    ``zero_row_directions`` are all this function asks of the reduction)."""
    m, d = model_full.m, model_full.d
    red_model = TeacherStudentModel(model_full.teacher, len(reduced.W), model_full.activation)
    notes = []
    if len(reduced.W) == 0:  # W = 0: the gradient vanishes identically (||w|| factor)
        centre, cert = [], None
        with flint.ctx.workdps(dps):
            loss = red_model.ball_loss([])
        radius, gnorm, lam, certified = mpmath.mpf(0), arb(0), None, True
        notes.append("every row is zero: grad_w L = ||w|| (I + w w^T/|w|^2) y vanishes exactly")
    else:
        if skip_certificate:
            centre = [arb(float(v)) for v in reduced.W.reshape(-1)]
            cert = Certificate(False, tuple(centre), None, None, None, dps, skip_certificate)
        else:
            found = descend(red_model, reduced.W.reshape(-1), gd_steps=0)
            centre = refine(red_model, found.x, dps)
            cert = certify(red_model, centre, dps, deadline=deadline)
        certified = cert.certified
        gnorm = cert.gradient_norm
        lam = cert.inertia.min_eigenvalue if certified else None
        with flint.ctx.workdps(dps):
            if certified:
                box = [arb(c.mid(), cert.radius) for c in centre]
                loss = red_model.ball_loss(box)
                # + the rounding of the lifted centre to the printed configuration
                radius = cert.radius * math.sqrt(len(centre)) + mpmath.mpf(10) ** (3 - dps)
            else:
                loss = red_model.ball_loss(centre)
                radius = None
                notes.append(f"not certified: {cert.reason}")
    point_type = None
    if loss.contains(0):
        point_type = "global"
        notes.append("loss enclosure contains 0: a global minimum")
    elif loss.upper() < arb(10) ** (-(dps // 2)):
        point_type = "global"
        notes.append(f"loss below 1e-{dps // 2}: taken as a global minimum (L = 0 is not certified)")
    elif not certified:
        # Uncertified: the float64 Hessian guides the label only.
        if skip_certificate:
            point_type = "degenerate"
            notes.append("point type not decided (no certificate)")
        else:
            H = red_model.hessian64(np.array([float(c.mid()) for c in centre]))
            ev = np.linalg.eigvalsh(H)
            point_type = "saddle" if ev[0] < -1e-8 else ("minimum" if ev[0] > 1e-8 else "degenerate")
            notes.append(f"point type from the float64 Hessian (smallest eigenvalue {ev[0]:.3g}), not certified")
    elif cert is not None and cert.inertia.negative:
        point_type = "saddle"
        notes.append(f"reduced Hessian has {cert.inertia.negative} certainly negative eigenvalue(s) on the Krawczyk box")
    lifted_box = None
    if certified and cert is not None:
        with flint.ctx.workdps(dps):
            box = [arb(c.mid(), cert.radius) for c in centre]
            lifted_box = reduced.lift(box, m, d)
    merged = tuple(tuple(j for j, _, _ in g) for g in reduced.groups if len(g) > 1)
    if point_type is None and merged and lifted_box is not None:
        live = [j for j in range(m) if j not in reduced.zero_rows]
        live_model = TeacherStudentModel(model_full.teacher, len(live), model_full.activation)
        with flint.ctx.workdps(dps):
            _, H = live_model.ball_gradient_hessian([t for j in live for t in lifted_box[j]])
            inert = inertia(H, eig_dps=min(dps, 50))
        lam = inert.min_eigenvalue
        if inert.negative:
            point_type = "saddle"
            notes.append(f"Hessian of the lifted point (aligned groups {list(merged)}) has a certainly negative eigenvalue")
    if point_type is None and reduced.zero_rows:
        with flint.ctx.workdps(dps):
            g, info = _zero_row_test(red_model, reduced, centre, T, rng, deadline)
        if g is not None:
            point_type = "saddle"
            notes.append(f"zero row(s) {list(reduced.zero_rows)}: growing one along {np.round(info, 4).tolist()} "
                         f"lowers the loss, g = {decimal_string(g, 6)} < 0 (ball)")
        else:
            point_type = "degenerate"
            notes.append(f"zero row(s) {list(reduced.zero_rows)}: no direction with g < 0 found "
                         f"(smallest float g {info:.3g}; g = 0 along every non-zero student)")
    if point_type is None and merged:
        point_type = "degenerate"
        notes.append(f"aligned groups {list(merged)}: moving mass inside a group is an exact zero eigenvalue")
    if point_type is None:
        if cert.inertia.undecided:
            point_type = "degenerate"
            notes.append("a Gershgorin interval of the Hessian on the Krawczyk box touches 0")
        else:
            point_type = "minimum"
            notes.append("Hessian certainly positive definite on the Krawczyk box")
    # The representative configuration: the lifted centre.
    with flint.ctx.workdps(dps):
        rows = reduced.lift(centre, m, d) if centre else [[arb(0)] * d for _ in range(m)]
        student = [[to_fraction(x, "student") for x in row] for row in rows]
    config = Configuration(model_full.teacher, student, model_full.activation)
    return dict(config=config, loss=loss, point_type=point_type, certified=bool(certified), radius=radius,
                gradient_norm=gnorm, min_eigenvalue=lam, classification="; ".join(notes),
                zero_rows=reduced.zero_rows, merged=merged)


def certify_descended(model, x, dps: int, deadline: float | None = None) -> dict:
    """Refine the float64 stationary point ``x`` at ``dps`` digits, certify it (Krawczyk)
    and classify it from the loss enclosure and the Hessian's inertia on the box:
    ``global`` (the loss ball contains 0), ``minimum``, ``saddle``, or ``degenerate``
    (uncertified, or an eigenvalue the balls cannot separate from 0).  For a model with
    no non-smooth structure to reduce (see :func:`hunt` for the teacher-student one).
    Past ``deadline`` (:func:`time.monotonic`) no Krawczyk test is tried: the point is
    kept, uncertified (``degenerate``), with that reason."""
    centre = refine(model, x, dps)
    cert = certify(model, centre, dps, deadline=deadline)
    with flint.ctx.workdps(dps):
        box = [arb(c.mid(), cert.radius) for c in centre] if cert.certified else centre
        loss = model.ball_loss(box)
    if loss.contains(0):
        point_type = "global"
    elif not cert.certified or cert.inertia.undecided:
        point_type = "degenerate"
    else:
        point_type = "saddle" if cert.inertia.negative else "minimum"
    return {"x": centre, "loss": loss, "point_type": point_type, "certified": cert.certified,
            "radius": cert.radius, "reason": cert.reason, "gradient_norm": cert.gradient_norm,
            "min_eigenvalue": cert.inertia.min_eigenvalue if cert.certified else None,
            "negative": cert.inertia.negative if cert.certified else None}
