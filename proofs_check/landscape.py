"""The landscape: hunt, certify, classify and deduplicate stationary points of the loss.

Safran and Shamir (ICML 2018) proved that spurious local minima exist for ReLU
teacher-student networks by gradient descent from many starts and a computer-assisted
certificate per point.  This module does the same for Zhou-Ge-Jin's network (any model
with the protocol of :mod:`numeric.stationary`), and certifies saddles too:

1. **starts**: random Gaussian rows, the sublevel sampler's families
   (:mod:`proofs_check.samplers`), and structured ones: students parked on teachers, on
   bisectors of teacher pairs, at zero, and in the span of subsets of teachers (exactly
   symmetric starts stay in their symmetric subspace under descent, which is how
   symmetric saddles are reached): first every combination of distinct atoms up to
   symmetry (:func:`atom_combinations`), then the other families, half of them with fewer
   students, padded with zero rows afterwards (:func:`start_schedule`);
2. **descent** in float64 (:func:`numeric.stationary.descend`), until the gradient norm is
   below ``1e-11``;
3. **reduction** to the smooth part: student rows of norm below ``1e-7`` are set exactly to
   zero, and students aligned up to sign (``sin`` of the angle below ``1e-6``) are merged
   into one effective vector ``u = sum_j +-u_j``: the loss depends on an aligned group only
   through that sum (the kernel is 1-homogeneous), so the reduced point is stationary iff
   every lift of it is, and the lift keeps the found split;
4. **deduplication** modulo students' permutations and signs and the orthogonal maps
   that permute the teachers up to sign (found by solving for them, see
   :func:`teacher_symmetries`);
5. **saddle hopping**: from every new certified saddle, the next starts leave it both ways
   along its most negative curvature direction (:func:`saddle_hops`);
6. **certificate** (Krawczyk on balls, :func:`numeric.stationary.certify`) of the reduced
   point, and **classification**:

   * ``global``: the loss enclosure contains 0;
   * ``saddle``: the (reduced or lifted) Hessian has a certainly negative eigenvalue, or
     a zero row can grow along a direction ``w`` with ``g(w) < 0`` (a ball), where
     ``L(W, t w) = L(W) + t^2 ||w||^2 g(w) + t^4 ||w||^4 / 2`` exactly (the loss is even and
     quadratic-homogeneous to leading order in a zero row);
   * ``minimum``: the Hessian is certainly positive definite and there is no zero row
     and no merged group;
   * ``degenerate``: a zero eigenvalue the balls cannot exclude.  Every merged group has
     an exact zero eigenvalue (moving mass inside the group), and a zero row next to a
     non-zero student has ``g = 0`` in that student's direction, so such points are
     ``degenerate`` unless a negative direction is certified.

Which model is hunted is a paper's declaration (:class:`HuntModel`, listed in
``Paper.model.hunts``): Zhou-Ge-Jin's package declares the teacher-student model, whose
hunt is :func:`hunt` above (with the zero-row and aligned-group reductions it needs); a
model without such a specialised hunt (Safran and Shamir's smooth ReLU network) gets
:func:`hunt_generic`: its own starts, then descent, Newton, the Krawczyk certificate,
the inertia on balls, deduplication by the model's symmetry key and saddle hopping, with
the same :class:`Landscape` result.  :func:`run_hunt` dispatches.

>>> result = hunt([[1, 0], [0, 1]], HuntSettings(students=2, starts=12, seed=0))
>>> sorted({p.kind for p in result.points}) == ["global", "saddle"]
True
"""
from __future__ import annotations

import itertools
import math
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

import flint
import mpmath
import numpy as np
from flint import arb

from numeric.config import Configuration, fraction_to_decimal_string, to_fraction
from numeric.precision import correct_digits, decimal_string, to_mpf
from numeric.stationary import (
    Certificate,
    TeacherStudentModel,
    certify,
    descend,
    inertia,
    refine,
)
from proofs_check.errors import UsageError
from proofs_check.samplers import configuration_at_scale, random_spec

__all__ = [
    "HuntModel",
    "ModelPoint",
    "run_hunt",
    "hunt_generic",
    "HuntSettings",
    "StationaryPoint",
    "Landscape",
    "hunt",
    "hunt_model",
    "start_schedule",
    "teacher_symmetries",
    "classify_point",
    "landscape_json",
]

ZERO_ROW = 1e-7  # float64 student rows below this norm are exactly zero
ALIGNED = 1e-6  # sin of the angle below which two students are one aligned group
KEY_DECIMALS = 5  # rounding of the effective vectors in the deduplication key


@dataclass(frozen=True)
class HuntSettings:
    """What the hunt does: ``students`` (m), ``starts`` (descents in all, saddle hops
    included), ``seed``, a time ``budget`` in seconds (no start begins and no certificate is
    tried after it), the working precision ``dps`` of the
    certificate, the activation, and ``hops``: starts taken from each new certified saddle
    along its most negative curvature directions (both ways)."""

    students: int
    starts: int = 200
    seed: int = 0
    budget: float = 240.0
    dps: int = 40
    activation: str = "abs"
    hops: int = 2  # starts taken from each certified saddle along negative curvature

    def __post_init__(self):
        if self.students < 1:
            raise UsageError(f"--students = {self.students} must be >= 1")
        if self.starts < 1:
            raise UsageError(f"--starts = {self.starts} must be >= 1")
        if self.seed < 0:
            raise UsageError(f"--seed = {self.seed} must be >= 0")
        if not self.budget > 0:
            raise UsageError(f"--budget = {self.budget} must be a positive number of seconds")
        if self.dps < 20:
            raise UsageError(f"dps = {self.dps} must be >= 20")


@dataclass(frozen=True)
class HuntModel:
    """A model the stationary-point hunt applies to, declared by a paper
    (``Paper.model.hunts``); ``proofs-check stationary --paper ID`` or ``--model ID``
    selects it.

    ``build(teacher, students, activation)`` returns the model (the protocol of
    :mod:`numeric.stationary`) and raises :class:`UsageError` on a combination outside
    the paper's setting; ``activations`` are the values a teacher file's ``activation``
    may take (the first is the default).  A model hunted by :func:`hunt_generic` gives
    ``starts(model, count, seed) -> [(family, flat x0), ...]`` and
    ``symmetry_key(model, x) -> (key, orbit size or None)`` (points with equal keys are one
    point up to the loss's symmetries); a model with a specialised hunt gives
    ``hunt(teacher, settings, progress) -> Landscape`` instead.
    """

    id: str
    description: str
    build: Callable
    activations: tuple = ("abs",)
    starts: Callable | None = None
    symmetry_key: Callable | None = None
    hunt: Callable | None = None
    gd_steps: int = 400  # gradient steps of each descent before Newton takes over

    def __post_init__(self):
        if self.hunt is None and (self.starts is None or self.symmetry_key is None):
            raise ValueError(f"hunt model {self.id}: give either `hunt`, or `starts` and `symmetry_key`")


@dataclass(frozen=True)
class ModelPoint:
    """A point of a generic model: its exact teacher rows and its parameters as exact
    rows (``student``), written by :func:`landscape_json` as decimal strings."""

    model: str
    teacher: tuple
    student: tuple

    def to_dict(self, digits: int = 40) -> dict:
        with mpmath.workdps(digits + 5):
            return {"model": self.model,
                    "teacher": [[fraction_to_decimal_string(x) for x in row] for row in self.teacher],
                    "student": [[mpmath.nstr(mpmath.mpf(x.numerator) / x.denominator, digits)
                                 for x in row] for row in self.student]}


@dataclass(frozen=True)
class StationaryPoint:
    """One stationary point up to symmetry (its representative ``config``)."""

    config: Any  # Configuration (teacher-student) or ModelPoint (a generic model)
    loss: Any  # arb ball enclosing the loss of the exact stationary point
    kind: str  # global | minimum | saddle | degenerate
    certified: bool
    radius: Any  # mpf: Frobenius distance from config to the exact point, or None
    gradient_norm: Any  # arb: ||grad L|| at config
    min_eigenvalue: Any  # arb or None
    classification: str  # how the kind was decided
    multiplicity: int | None  # copies under the teacher's symmetries (up to relabelling students); None: not counted
    hits: int  # starts that reached it
    zero_rows: tuple = ()
    merged: tuple = ()


@dataclass(frozen=True)
class Landscape:
    teacher: tuple
    students: int
    points: tuple
    starts_run: int
    starts_converged: int
    seconds: float
    symmetries: int
    dps: int = 40

    @property
    def lowest_spurious(self):
        """Index of the lowest certified point with a loss certainly > 0, or None."""
        best = None
        for i, p in enumerate(self.points):
            if p.certified and p.kind != "global" and p.loss > 0:
                if best is None or to_mpf(p.loss.mid()) < to_mpf(self.points[best].loss.mid()):
                    best = i
        return best


# ---------------------------------------------------------------------------------------
# Symmetries and deduplication


def teacher_symmetries(teacher, tol: float = 1e-10) -> list:
    """Orthogonal ``d x d`` maps ``A`` with ``A w*_i = s_i w*_pi(i)`` for a permutation ``pi``
    and signs ``s`` (the loss is invariant under them), found by solving on the teachers'
    span and acting as ``+-I`` on its complement.  Always contains the identity.

    >>> len(teacher_symmetries([[1, 0], [0, 1]]))  # the dihedral group of the square
    8
    """
    T = np.asarray(teacher, dtype=float)
    r, d = T.shape
    if np.linalg.matrix_rank(T, tol=1e-9) < r or r > 5:
        return [np.eye(d)]
    pinv = np.linalg.pinv(T.T)  # r x d
    proj = T.T @ pinv  # projection on the span
    out = {}  # keyed by the rounded matrix: linear, not quadratic, in the group's size
    for perm in itertools.permutations(range(r)):
        for signs in itertools.product((1, -1), repeat=r):
            target = (np.array(signs)[:, None] * T[list(perm)]).T  # d x r
            on_span = target @ pinv
            for eps in ((1,) if np.allclose(proj, np.eye(d)) else (1, -1)):
                A = on_span + eps * (np.eye(d) - proj)
                if np.allclose(A.T @ A, np.eye(d), atol=tol):
                    out.setdefault(tuple(np.round(A, 8).ravel() + 0.0), A)
    return list(out.values())


def _sign_normalised_rows(images):
    """Each row of ``images`` (any shape ``(..., d)``) with its sign flipped so that its first
    entry above ``10^-KEY_DECIMALS`` in size is positive, rounded to ``KEY_DECIMALS``."""
    big = np.abs(images) > 10.0 ** -KEY_DECIMALS
    first = np.take_along_axis(images, np.argmax(big, axis=-1)[..., None], axis=-1)[..., 0]
    flip = np.where(big.any(axis=-1) & (first < 0), -1.0, 1.0)
    return np.round(images * flip[..., None], KEY_DECIMALS) + 0.0  # + 0.0: no -0.0


def _sign_normalised(images):
    """Images ``(k, n, d)``, rows sign-normalised and each image's rows sorted
    lexicographically (all images at once: the group has up to ``2^r r!`` elements)."""
    rounded = _sign_normalised_rows(images)
    order = np.lexsort([rounded[..., c] for c in reversed(range(rounded.shape[-1]))], axis=-1)
    return np.take_along_axis(rounded, order[..., None], axis=1)


def symmetry_key(U, group) -> tuple:
    """``(key, orbit size)``: the smallest sign-normalised, sorted image of the effective
    vectors ``U`` under ``group``, and the number of distinct images.

    >>> symmetry_key([[0.0, -2.0], [1.0, 0.0]], teacher_symmetries([[1, 0], [0, 1]]))
    (((0.0, 1.0), (2.0, 0.0)), 2)
    """
    U = np.asarray(U, dtype=float)
    if not len(U):
        return (), 1
    images = np.einsum("nd,ked->kne", U, np.asarray(group))  # U @ A.T for every A
    flat = _sign_normalised(images).reshape(len(group), -1)
    smallest = flat[np.lexsort(flat.T[::-1])[0]]
    key = tuple(map(tuple, smallest.reshape(U.shape).tolist()))
    return key, len(np.unique(flat, axis=0))


# ---------------------------------------------------------------------------------------
# Starts


def _unit(v):
    n = np.linalg.norm(v)
    return v / n if n > 0 else v


def structured_atoms(T) -> list:
    """Directions a student may be parked on: teachers, bisectors of pairs (both signs),
    the normalised sum of all teachers."""
    T = np.asarray(T, dtype=float)
    atoms = [t for t in T]
    for i, j in itertools.combinations(range(len(T)), 2):
        for s in (1, -1):
            atoms.append(_unit(_unit(T[i]) + s * _unit(T[j])) * math.sqrt(np.linalg.norm(T[i]) * np.linalg.norm(T[j])))
    if len(T) > 2:
        atoms.append(_unit(sum(_unit(t) for t in T)) * np.mean(np.linalg.norm(T, axis=1)))
    return atoms


def starts(T, m: int, count: int, rng) -> list:
    """``count`` start points ``(family, m x d array)``: structured ones first (W = 0,
    students on distinct teachers, parked on atoms, some rows zero, spans of subsets),
    then random Gaussian rows and the sampler's families, in a fixed rotation."""
    T = np.asarray(T, dtype=float)
    r, d = T.shape
    atoms = structured_atoms(T)
    out = [("zero", np.zeros((m, d)))]
    scale = float(np.mean(np.linalg.norm(T, axis=1)))

    def parked(rows, zero_prob=0.0, jitter=0.0):
        W = np.zeros((m, d))
        for j in range(m):
            if rng.random() < zero_prob:
                continue
            a = atoms[rows[j] % len(atoms)]
            # ||u|| = ||w||^2: park with u of the atom's size times a random share.
            W[j] = a / math.sqrt(max(np.linalg.norm(a), 1e-12)) * math.sqrt(rng.uniform(0.3, 1.0))
        return W + jitter * rng.standard_normal(W.shape)

    families = ("parked", "parked-zero", "span", "random", "sampler", "parked-jitter")
    k = 0
    while len(out) < count:
        family = families[k % len(families)]
        k += 1
        if family == "parked":
            out.append((family, parked(rng.integers(0, len(atoms), size=m))))
        elif family == "parked-zero":
            out.append((family, parked(rng.integers(0, len(atoms), size=m), zero_prob=0.4)))
        elif family == "parked-jitter":
            out.append((family, parked(rng.integers(0, len(atoms), size=m), jitter=0.05)))
        elif family == "span":
            subset = rng.choice(r, size=int(rng.integers(1, r + 1)), replace=False)
            out.append((family, rng.standard_normal((m, len(subset))) @ T[subset] * 0.7))
        elif family == "random":
            out.append((family, rng.standard_normal((m, d)) * scale ** 0.5 * rng.choice([0.3, 0.7, 1.2])))
        elif m >= r:
            spec = random_spec(rng, r, m, d, teacher=T)
            with mpmath.workdps(20):
                cfg = configuration_at_scale(spec, rng.choice([0.2, 0.5, 1.0]))
            out.append(("sampler-" + spec.family, np.array([[float(x) for x in row] for row in cfg.student])))
    return out[:count]


# ---------------------------------------------------------------------------------------
# Reduction to the smooth part


@dataclass(frozen=True)
class _Reduced:
    W: np.ndarray  # m' x d reduced rows (one per aligned group)
    groups: tuple  # per reduced row: ((j, sign, share), ...)
    zero_rows: tuple


def reduce_point(W, *, zero_row: float = ZERO_ROW, aligned: float = ALIGNED) -> _Reduced:
    """Zero rows dropped, aligned students merged (see the module docstring)."""
    W = np.asarray(W, dtype=float)
    norms = np.linalg.norm(W, axis=1)
    zero = tuple(int(j) for j in np.nonzero(norms < zero_row)[0])
    live = [j for j in range(len(W)) if j not in zero]
    groups = []
    for j in live:
        uj = W[j] / norms[j]
        for g in groups:
            lead = W[g[0][0]] / norms[g[0][0]]
            c = float(uj @ lead)
            if math.sqrt(max(0.0, 1 - c * c)) < aligned:
                g.append((j, 1 if c > 0 else -1))
                break
        else:
            groups.append([(j, 1)])
    rows, out = [], []
    for g in groups:
        lead = W[g[0][0]] / norms[g[0][0]]
        mass = sum(norms[j] ** 2 for j, _ in g)  # ||u|| summed
        rows.append(math.sqrt(mass) * lead)
        out.append(tuple((j, s, float(norms[j] ** 2 / mass)) for j, s in g))
    d = W.shape[1]
    return _Reduced(np.array(rows).reshape(len(rows), d), tuple(out), zero)


def _lift(reduced: _Reduced, centre, m: int, d: int) -> list:
    """Full rows (balls) from reduced rows (balls): ``w_j = s_j sqrt(share_j) w'``."""
    rows = [[arb(0)] * d for _ in range(m)]
    for k, group in enumerate(reduced.groups):
        for j, s, share in group:
            f = arb.sqrt(arb(share))
            rows[j] = [s * f * centre[k * d + i] for i in range(d)]
    return rows


# ---------------------------------------------------------------------------------------
# Classification


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


def _zero_row_test(model, reduced_centre, T, rng):
    """A certified negative ``g`` (saddle) if one is found among teacher, atom and random
    directions; else the smallest float value seen."""
    d = model.d
    T = np.asarray(T, dtype=float)
    candidates = [a for a in structured_atoms(T)] + list(rng.standard_normal((64, d)))
    x64 = np.array([float(c.mid()) for c in reduced_centre])
    values = []
    with flint.ctx.workdps(17):
        for v in candidates:
            values.append((float(zero_row_coefficient(model, [arb(t) for t in x64], v).mid()), tuple(v)))
    values.sort()
    for val, v in values[:5]:
        g = zero_row_coefficient(model, reduced_centre, v)
        if g < 0:
            return g, v
    return None, values[0][0]


def classify_point(model_full: TeacherStudentModel, reduced: _Reduced, T, dps: int, rng,
                   deadline: float | None = None) -> dict:
    """Certify and classify one descended point (see the module docstring).  Past
    ``deadline`` (:func:`time.monotonic`) no Krawczyk test is tried: the point is kept,
    uncertified, with that reason."""
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
        found = descend(red_model, reduced.W.reshape(-1), gd_steps=0)
        centre = refine(red_model, found.x, dps)
        cert: Certificate = certify(red_model, centre, dps, deadline=deadline)
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
    kind = None
    if loss.contains(0):
        kind = "global"
        notes.append("loss enclosure contains 0: a global minimum")
    elif loss.upper() < arb(10) ** (-(dps // 2)):
        kind = "global"
        notes.append(f"loss below 1e-{dps // 2}: taken as a global minimum (L = 0 is not certified)")
    elif not certified:
        # Uncertified: the float64 Hessian guides the label only.
        H = red_model.hessian64(np.array([float(c.mid()) for c in centre]))
        ev = np.linalg.eigvalsh(H)
        kind = "saddle" if ev[0] < -1e-8 else ("minimum" if ev[0] > 1e-8 else "degenerate")
        notes.append(f"kind from the float64 Hessian (smallest eigenvalue {ev[0]:.3g}), not certified")
    elif cert is not None and cert.inertia.negative:
        kind = "saddle"
        notes.append(f"reduced Hessian has {cert.inertia.negative} certainly negative eigenvalue(s) on the Krawczyk box")
    lifted_box = None
    if certified and cert is not None:
        with flint.ctx.workdps(dps):
            box = [arb(c.mid(), cert.radius) for c in centre]
            lifted_box = _lift(reduced, box, m, d)
    merged = tuple(tuple(j for j, _, _ in g) for g in reduced.groups if len(g) > 1)
    if kind is None and merged and lifted_box is not None:
        live = [j for j in range(m) if j not in reduced.zero_rows]
        live_model = TeacherStudentModel(model_full.teacher, len(live), model_full.activation)
        with flint.ctx.workdps(dps):
            _, H = live_model.ball_gradient_hessian([t for j in live for t in lifted_box[j]])
            inert = inertia(H, eig_dps=min(dps, 50))
        lam = inert.min_eigenvalue
        if inert.negative:
            kind = "saddle"
            notes.append(f"Hessian of the lifted point (aligned groups {list(merged)}) has a certainly negative eigenvalue")
    if kind is None and reduced.zero_rows:
        with flint.ctx.workdps(dps):
            g, info = _zero_row_test(red_model, centre, T, rng)
        if g is not None:
            kind = "saddle"
            notes.append(f"zero row(s) {list(reduced.zero_rows)}: growing one along {np.round(info, 4).tolist()} "
                         f"lowers the loss, g = {decimal_string(g, 6)} < 0 (ball)")
        else:
            kind = "degenerate"
            notes.append(f"zero row(s) {list(reduced.zero_rows)}: no direction with g < 0 found "
                         f"(smallest float g {info:.3g}; g = 0 along every non-zero student)")
    if kind is None and merged:
        kind = "degenerate"
        notes.append(f"aligned groups {list(merged)}: moving mass inside a group is an exact zero eigenvalue")
    if kind is None:
        if cert.inertia.undecided:
            kind = "degenerate"
            notes.append("a Gershgorin interval of the Hessian on the Krawczyk box touches 0")
        else:
            kind = "minimum"
            notes.append("Hessian certainly positive definite on the Krawczyk box")
    # The representative configuration: the lifted centre.
    with flint.ctx.workdps(dps):
        rows = _lift(reduced, centre, m, d) if centre else [[arb(0)] * d for _ in range(m)]
        student = [[to_fraction(x, "student") for x in row] for row in rows]
    config = Configuration(model_full.teacher, student, model_full.activation)
    return dict(config=config, loss=loss, kind=kind, certified=bool(certified), radius=radius,
                gradient_norm=gnorm, min_eigenvalue=lam, classification="; ".join(notes),
                zero_rows=reduced.zero_rows, merged=merged)


# ---------------------------------------------------------------------------------------
# The hunt


#: A descent that stalls with ``||grad||`` below this is retried on a coarser reduction.
STALLED = 1e-5
#: The coarser reduction: near degenerate points (aligned groups, shrinking rows) plain
#: descent is slow (the loss is cubic in the split angle, Claim 2).
COARSE = 1e-3
#: Below this float64 loss a point is near the global minima's manifold, where students
#: sharing a teacher meet at angles ~ L^(1/3) (Claim 2): reduce coarsely there too.
NEAR_GLOBAL = 1e-9


def _descend_and_reduce(model, W0):
    """Descend from ``W0``; reduce; when the descent stalled near a degenerate point,
    reduce coarsely and finish with Newton on the reduced rows.  None if no zero found."""
    d = descend(model, W0.reshape(-1))
    if d.converged and d.loss > NEAR_GLOBAL:
        return reduce_point(model.rows(d.x))
    if not d.gradient_norm < STALLED:
        return None
    near_global = d.loss < NEAR_GLOBAL
    reduced = reduce_point(model.rows(d.x), zero_row=COARSE,
                           aligned=10 * COARSE if near_global else COARSE)
    if len(reduced.W) == 0:
        return reduced
    red_model = TeacherStudentModel(model.teacher, len(reduced.W), model.activation)
    polished = descend(red_model, reduced.W.reshape(-1), gd_steps=0)
    if not polished.converged:
        return None
    return _Reduced(red_model.rows(polished.x), reduced.groups, reduced.zero_rows)


GLOBAL_TRIES = 5


def model_loss(model, reduced: _Reduced) -> float:
    """The float64 loss of the reduced rows (a guide only)."""
    red = TeacherStudentModel(model.teacher, len(reduced.W), model.activation)
    return red.loss_gradient64(reduced.W.reshape(-1))[0] if len(reduced.W) else float("inf")


#: Atom combinations are enumerated up to this many students.
ATOM_WIDTH = 4
#: At most 1/ATOM_SHARE of the starts are atom combinations.
ATOM_SHARE = 2
#: A teacher is covered by an atom within this |cos| (a bisector covers both its teachers).
COVER_COS = 0.7


def _atom_image_labels(units, group) -> np.ndarray:
    """``labels[g, i]``: the image of atom ``i`` under ``group[g]``, up to sign, as an integer
    label (equal labels: equal sign-normalised rounded vectors).  A combination of atoms is
    then compared with its images as sorted label tuples, which is :func:`symmetry_key`'s
    equivalence without building each image (at r = 5 the group has 3840 elements and
    thousands of combinations are compared)."""
    images = _sign_normalised_rows(np.einsum("nd,ked->kne", units, np.asarray(group)))
    _, labels = np.unique(images.reshape(-1, units.shape[1]), axis=0, return_inverse=True)
    return labels.reshape(len(group), len(units))


#: Compare-exchange networks sorting 1 to 4 columns (Knuth, TAOCP 3, 5.3.4).
_SORTING_NETWORKS = {1: (), 2: ((0, 1),), 3: ((0, 1), (1, 2), (0, 1)), 4: ((0, 1), (2, 3), (0, 2), (1, 3), (1, 2))}


def _smallest_label_set(images) -> tuple:
    """The lexicographically smallest row of ``images`` (``k x w`` labels) after sorting each
    row: a combination's key, the same for every combination of its orbit.  Columns are
    sorted with a compare-exchange network (``np.sort`` along short rows costs ~1 ms at
    k = 3840), then the smallest row is found column by column."""
    k, w = images.shape
    if w not in _SORTING_NETWORKS:
        images = np.sort(images, axis=1)
        return tuple(images[np.lexsort(images.T[::-1])[0]].tolist())
    columns = [images[:, j] for j in range(w)]
    for i, j in _SORTING_NETWORKS[w]:
        columns[i], columns[j] = np.minimum(columns[i], columns[j]), np.maximum(columns[i], columns[j])
    rows = np.ones(k, dtype=bool)
    key = []
    for column in columns:
        smallest = column[rows].min()
        key.append(int(smallest))
        rows &= column == smallest
    return tuple(key)


def atom_combinations(T, m: int, group, rng, limit: int) -> list:
    """Up to ``limit`` starts ``(width, "atoms", rows)``: students parked exactly on
    distinct atoms (teachers, bisectors, the diagonal), one start per orbit under
    ``group``, widths ``1..4``, those covering the most teachers first (the low spurious
    points found so far serve every teacher: e.g. both bisectors of ``e_1, e_2`` plus ``e_3``).

    A repeated atom would be the same reduced point as a narrower start, so atoms are
    distinct.  Each start is exactly symmetric under its stabiliser, and descent keeps it
    so: this is how the symmetric saddles are reached.  Ties are shuffled by ``rng``."""
    atoms = structured_atoms(T)
    units = np.array([a / np.linalg.norm(a) for a in atoms])
    teachers = np.asarray(T, dtype=float) / np.linalg.norm(T, axis=1)[:, None]
    covers = np.abs(units @ teachers.T) >= COVER_COS  # atoms x teachers
    combos = [c for w in range(1, min(m, ATOM_WIDTH) + 1)
              for c in itertools.combinations(range(len(atoms)), w)]
    tie = rng.random(len(combos))
    order = sorted(range(len(combos)),
                   key=lambda k: (-int(covers[list(combos[k])].any(axis=0).sum()), len(combos[k]), tie[k]))
    labels = _atom_image_labels(units, group)
    out, seen = [], set()
    for k in order:
        if len(out) >= limit:
            break
        c = combos[k]
        key = _smallest_label_set(labels[:, list(c)])
        if key in seen:
            continue
        seen.add(key)
        # ||u|| = ||w||^2: each student carries 0.8 of its atom's size.
        rows = np.array([units[i] * math.sqrt(0.8 * np.linalg.norm(atoms[i])) for i in c])
        out.append((len(c), "atoms", rows))
    return out


def start_schedule(T, m: int, count: int, seed: int, group=None) -> list:
    """``(width, family, rows)`` starts: first the atom combinations (at most half of
    ``count``), then the other families round-robin over widths, half at
    ``m`` students and half spread over ``1..m-1``.  A stationary point of ``m' < m``
    students padded with zero rows is stationary for ``m`` (the zero rows' gradient
    vanishes), and the narrower hunts are cheaper and reach the building blocks that wide
    random starts rarely do."""
    group = group if group is not None else teacher_symmetries(T)
    out = atom_combinations(T, m, group, np.random.default_rng([seed, 0]), count // ATOM_SHARE)
    count -= len(out)
    widths = list(range(1, m))
    at_m = max(1, count - count // 2) if widths else count
    share = {w: (count - at_m) // len(widths) + (1 if i < (count - at_m) % len(widths) else 0)
             for i, w in enumerate(widths)} if widths else {}
    share[m] = at_m
    queues = {w: starts(T, w, n, np.random.default_rng([seed, w])) for w, n in share.items() if n}
    while any(queues.values()):
        for w in sorted(queues, reverse=True):
            if queues[w]:
                family, W0 = queues[w].pop(0)
                out.append((w, family, W0))
    return out


def saddle_hops(model: TeacherStudentModel, config: Configuration, count: int, step: float = 0.05) -> list:
    """Starts ``(m, "hop", rows)`` at ``config +- step * v`` for the ``count // 2`` most
    negative curvature directions ``v`` of the float64 Hessian (on the non-zero rows)."""
    W = np.array([[float(x) for x in row] for row in config.student])
    return [(model.m, family, x.reshape(W.shape)) for family, x in _flat_hops(model, W.reshape(-1), count, step)]


def hunt(teacher, settings: HuntSettings, progress: Callable[[int], None] | None = None) -> Landscape:
    """Run the hunt for ``teacher`` (rows) with ``settings``; see the module docstring."""
    t0 = time.monotonic()
    m = settings.students
    model = TeacherStudentModel.from_rows(teacher, m, settings.activation)
    T = model.teacher64
    group = teacher_symmetries(T)
    rng = np.random.default_rng(settings.seed)
    found: dict = {}
    order = []
    run = converged = 0
    pending = deque(start_schedule(T, m, settings.starts, settings.seed, group))
    while pending and run < settings.starts:
        width, family, W0 = pending.popleft()
        if time.monotonic() - t0 > settings.budget:
            break
        run += 1
        if progress:
            progress(1)
        narrow = TeacherStudentModel(model.teacher, width, model.activation)
        reduced = _descend_and_reduce(narrow, W0)
        if reduced is None:
            continue
        converged += 1
        # Pad to m students with zero rows.
        reduced = _Reduced(reduced.W, reduced.groups, reduced.zero_rows + tuple(range(width, m)))
        U = np.array([np.linalg.norm(w) * w for w in reduced.W]).reshape(len(reduced.W), model.d)
        key, orbit = symmetry_key(U, group)
        red_loss = model_loss(model, reduced)
        if red_loss < NEAR_GLOBAL:
            # Global minima form a manifold (splits of the teachers' mass, Claim 2 pairs):
            # one entry, replaced by a later one while it is not certified.
            key, orbit = ("global",), 1
            if key in found and (found[key]["certified"] or found[key]["hits"] >= GLOBAL_TRIES):
                found[key]["hits"] += 1
                continue
        elif key in found:
            found[key]["hits"] += 1
            continue
        # The budget bounds certification too: a point reached in time but not certified
        # by then is kept, uncertified (numeric.stationary.DEADLINE_PASSED).
        info = classify_point(model, reduced, T, settings.dps, rng, deadline=t0 + settings.budget)
        info.update(hits=1 + (found[key]["hits"] if key in found else 0), multiplicity=orbit)
        if key not in found:
            order.append(key)
        found[key] = info
        if info["kind"] == "saddle" and info["certified"]:
            # Saddle hopping: the next starts leave the saddle both ways along its
            # directions of negative curvature, towards lower stationary points.
            pending.extendleft(reversed(saddle_hops(model, info["config"], settings.hops)))
    points = sorted((StationaryPoint(**found[k]) for k in order), key=lambda p: to_mpf(p.loss.mid()))
    return Landscape(tuple(tuple(row) for row in model.teacher), m, tuple(points),
                     run, converged, time.monotonic() - t0, len(group), settings.dps)


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
        kind = "global"
    elif not cert.certified or cert.inertia.undecided:
        kind = "degenerate"
    else:
        kind = "saddle" if cert.inertia.negative else "minimum"
    return {"x": centre, "loss": loss, "kind": kind, "certified": cert.certified,
            "radius": cert.radius, "reason": cert.reason, "gradient_norm": cert.gradient_norm,
            "min_eigenvalue": cert.inertia.min_eigenvalue if cert.certified else None,
            "negative": cert.inertia.negative if cert.certified else None}


def hunt_model(model, start_points, *, dps: int = 40, key=None) -> list:
    """The hunt for any model with the :mod:`numeric.stationary` protocol (no zero rows
    or aligned groups to reduce): descend from each start, deduplicate by ``key(x)``
    (default: ``model.symmetry_key(x)`` if the model has one, else ``x`` rounded),
    certify and classify (:func:`certify_descended`).  Returns dicts ``{"x", "loss",
    "kind", "certified", "radius", "min_eigenvalue", "hits", ...}``, lowest loss first.

    With one student for two teachers (``m < r``, outside the paper's setting), a student
    on a teacher is a spurious local minimum and the bisector a saddle:

    >>> from numeric.stationary import TeacherStudentModel
    >>> model = TeacherStudentModel.from_rows([[1, 0], [0, 1]], 1)
    >>> [p["kind"] for p in hunt_model(model, [np.array([0.9, 0.8]), np.array([0.7, 0.7])])]
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


def _flat_hops(model, x, count: int, step: float = 0.05) -> list:
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
    model = spec.build(teacher, settings.students, settings.activation)
    pending = deque(list(extra_starts) + list(spec.starts(model, settings.starts, settings.seed)))
    found, order = {}, []
    run = converged = 0
    while pending and run < settings.starts + len(extra_starts):
        family, x0 = pending.popleft()
        if time.monotonic() - t0 > settings.budget:
            break
        run += 1
        if progress:
            progress(1)
        d = descend(model, np.asarray(x0, dtype=float), gd_steps=spec.gd_steps)
        if not d.converged:
            continue
        converged += 1
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
            loss=info["loss"], kind=info["kind"], certified=bool(info["certified"]), radius=radius,
            gradient_norm=info["gradient_norm"], min_eigenvalue=info["min_eigenvalue"],
            classification=notes[info["kind"]] + f" (first reached from a {family} start)",
            multiplicity=orbit, hits=1)
        order.append(key)
        if info["kind"] == "saddle" and info["certified"]:
            pending.extendleft(reversed(_flat_hops(model, d.x, settings.hops)))
    points = sorted((StationaryPoint(**found[k]) for k in order), key=lambda p: to_mpf(p.loss.mid()))
    return Landscape(tuple(tuple(to_fraction(v, "teacher") for v in row) for row in teacher),
                     settings.students, tuple(points), run, converged, time.monotonic() - t0,
                     0, settings.dps)


def run_hunt(spec: HuntModel, teacher, settings: HuntSettings,
             progress: Callable[[int], None] | None = None) -> Landscape:
    """The hunt of ``spec`` (a paper's :class:`HuntModel`) for ``teacher``: its
    specialised hunt if it has one, else :func:`hunt_generic`."""
    if settings.activation not in spec.activations:
        raise UsageError(f"activation = {settings.activation!r}: the hunt model {spec.id} takes "
                         f"{' or '.join(map(repr, spec.activations))}")
    spec.build(teacher, settings.students, settings.activation)  # validates the combination
    if spec.hunt is not None:
        return spec.hunt(teacher, settings, progress)
    return hunt_generic(spec, teacher, settings, progress)


# ---------------------------------------------------------------------------------------
# JSON


def _ball_text(x, digits_cap: int = 40):
    """``(value, error)`` decimal strings: every certified digit of the ball's midpoint."""
    err = to_mpf(x.rad())
    if x.contains(0) and err > 0 and abs(to_mpf(x.mid())) <= err:
        return "0", mpmath.nstr(err, 3)
    digits = min(digits_cap, max(1, correct_digits(x, err)))
    return decimal_string(x, digits), mpmath.nstr(err, 3) if err else "0"


def landscape_json(result: Landscape) -> dict:
    """The JSON of :func:`hunt`'s result (the ``stationary`` command's ``--json``)."""
    points = []
    for p in result.points:
        loss, loss_error = _ball_text(p.loss)
        points.append({
            "loss": loss,
            "loss_error": loss_error,
            "kind": p.kind,
            "certified": p.certified,
            "radius": None if p.radius is None else mpmath.nstr(mpmath.mpf(p.radius), 3),
            "gradient_norm": mpmath.nstr(to_mpf(p.gradient_norm.upper()), 3) if p.gradient_norm is not None else None,
            "hessian_min_eigenvalue": None if p.min_eigenvalue is None else _ball_text(p.min_eigenvalue, 20)[0],
            "hessian_min_eigenvalue_error": None if p.min_eigenvalue is None else _ball_text(p.min_eigenvalue, 20)[1],
            "classification": p.classification,
            "zero_rows": list(p.zero_rows),
            "merged": [list(g) for g in p.merged],
            "config": p.config.to_dict(digits=result.dps),
            "multiplicity": p.multiplicity,
            "hits": p.hits,
        })
    low = result.lowest_spurious
    return {
        "teacher": [[fraction_to_decimal_string(x) for x in row] for row in result.teacher],
        "students": result.students,
        "points": points,
        "lowest_spurious": None if low is None else {"loss": points[low]["loss"], "index": low},
        "starts": result.starts_run,
        "converged": result.starts_converged,
        "teacher_symmetries": result.symmetries or None,  # 0: not counted (a generic model)
        "seconds": round(result.seconds, 2),
        "radius_meaning": "Frobenius distance from config to the exact stationary point (upper bound)",
    }
