"""Follow symmetric families of stationary points in r, certify and classify every member.

For each family (:mod:`proofs_check.families.definitions`):

1. **seed**: at ``r0 = special + 4`` (the smallest r with ``q = 4``), Levenberg-Marquardt
   with deflation (:func:`numeric.reduced_zeros.find_zeros`) from ``starts`` random points
   of the reduced space finds the zeros of the restricted gradient; each zero with
   ``L > 0`` (float64) starts a *branch*;
2. **continuation**: along the schedule of r (up, then down to the family's smallest r),
   each branch is predicted by linear extrapolation in r from its last two members and
   corrected by Levenberg-Marquardt (no deflation); a branch that does not converge, or
   lands on another branch, ends there;
3. **certificate** of every member: Newton at ``dps`` digits and the Krawczyk test on the
   restricted model (:func:`numeric.stationary.certify`): a unique zero of the restricted
   gradient in the box, hence (equivariance, :mod:`numeric.fixed_point`) a stationary point
   of the full loss; its loss enclosed on the box;
4. **inertia** of the full Hessian on the box: from the isotypic blocks
   (:mod:`numeric.isotypic`) when ``q >= 4``, else from the full-space ball Hessian;
   ``global`` if the loss enclosure contains 0, else ``saddle`` (a certainly negative
   eigenvalue), ``minimum`` (all certainly positive) or ``degenerate``.

The ambient dimension is ``d = r``.  A member is also stationary in every ``d > r`` (the
reflection of an added coordinate is a symmetry fixing it), but its inertia is stated in
``d = r`` only.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import flint
import numpy as np
from flint import arb

from numeric.fixed_point import RestrictedModel
from numeric.isotypic import full_inertia, isotypic_blocks
from numeric.numbers import decimal_string, to_mpf
from numeric.precise import UndefinedQuantityError
from numeric.reduced_zeros import find_zeros, levenberg_marquardt
from numeric.stationary import certify, inertia, refine
from proofs_check.errors import UsageError
from proofs_check.families.definitions import (FamilySpec, default_family_paper, family_papers, paper_families,
                                               zero_student_lift)

__all__ = ["FollowSettings", "Member", "r_schedule", "restricted_model", "certify_member", "follow_family", "transfer",
           "lowest_spurious", "fitted_exponent", "seed_zeros", "fold_indicator"]

SEED_Q = 4  # the seed search runs at q = r - special = 4
START_SCALES = (0.3, 0.7, 1.1)  # standard deviations of the random reduced starts, in turn
CONVERGED = 1e-11  # float64 gradient norm below which a zero search has converged
CONTINUATION_STEPS = 40  # LM iterations of one continuation step (a good prediction needs < 15)


def r_schedule(r_min: int, r_max: int) -> tuple:
    """Every r up to 16, then steps of 4 up to 32, 8 up to 64, 12 beyond (and r_max)."""
    out = [r for r in range(r_min, min(r_max, 16) + 1)]
    r = 16
    while r < r_max:
        r += 4 if r < 32 else 8 if r < 64 else 12
        out.append(min(r, r_max))
    return tuple(sorted(set(out)))


@dataclass(frozen=True)
class FollowSettings:
    """``paper`` (one that declares families: zgj | ss), ``r_max``, ``r_min`` (2), ``starts``
    of the seed search,
    ``branches`` kept per family (lowest losses), ``seed``, ``dps`` of the certificates,
    ``budget`` in seconds (no member is begun after it)."""

    paper: str
    r_max: int
    r_min: int = 2
    starts: int = 24
    branches: int = 6
    seed: int = 0
    dps: int = 40
    budget: float = 3600.0

    def __post_init__(self):
        if self.paper not in family_papers():
            raise UsageError(f"--paper = {self.paper!r} must be {' or '.join(family_papers())}")
        if not 2 <= self.r_min <= self.r_max:
            raise UsageError(f"--r-max = {self.r_max} must be >= --r-min = {self.r_min} >= 2")
        if self.r_max > 200:
            raise UsageError(f"--r-max = {self.r_max} must be <= 200 (the pair grouping is O(r^3) memory)")
        if self.starts < 1:
            raise UsageError(f"--starts = {self.starts} must be >= 1")
        if self.branches < 1:
            raise UsageError(f"--branches = {self.branches} must be >= 1")
        if self.seed < 0:
            raise UsageError(f"--seed = {self.seed} must be >= 0")
        if not 20 <= self.dps <= 400:
            raise UsageError(f"--dps = {self.dps} must be between 20 and 400")
        if not self.budget > 0:
            raise UsageError(f"--budget = {self.budget} must be a positive number of seconds")


@dataclass(frozen=True)
class Member:
    """One certified (or not) member of a family at one r."""

    family: str
    branch: int
    r: int
    m: int
    y: tuple  # the reduced centre, decimal strings
    certified: bool
    loss: object  # arb enclosing the loss at the exact stationary point (None if not certified)
    radius: object  # mpf: every reduced coordinate is within it (None if not certified)
    point_type: str  # global | minimum | saddle | degenerate | uncertified
    negative: int | None
    undecided: int | None
    positive: int | None
    min_eigenvalue: object  # arb or None
    inertia_from: str  # "isotypic blocks" | "full Hessian" | ""
    blocks: tuple  # (name, irrep dimension, block size, negative, undecided, positive)
    seconds: float
    reason: str = ""

    def to_dict(self, digits: int = 25) -> dict:
        ok = self.certified
        return {
            "family": self.family, "branch": self.branch, "r": self.r, "m": self.m,
            "y": list(self.y), "certified": ok, "kind": self.point_type,  # the JSON key users read stays "kind"
            "loss": decimal_string(self.loss, digits) if ok else None,
            "loss_error": f"{float(to_mpf(self.loss.rad())):.1e}" if ok else None,
            "radius": f"{float(self.radius):.1e}" if ok else None,
            "negative": self.negative, "undecided": self.undecided, "positive": self.positive,
            "hessian_min_eigenvalue": (decimal_string(self.min_eigenvalue, 12)
                                       if self.min_eigenvalue is not None else None),
            "hessian_min_eigenvalue_error": (f"{float(to_mpf(self.min_eigenvalue.rad())):.1e}"
                                             if self.min_eigenvalue is not None else None),
            "inertia_from": self.inertia_from,
            "blocks": [dict(zip(("irrep", "dimension", "size", "negative", "undecided", "positive"), b))
                       for b in self.blocks],
            "seconds": round(self.seconds, 3), "reason": self.reason,
        }


def _full_model(paper: str, r: int, m: int):
    return paper_families(paper).full_model(r, m)


def restricted_model(paper: str, family: FamilySpec, r: int) -> RestrictedModel:
    """``paper``'s loss (its ``PaperFamilies.network``) at ``r`` orthonormal teachers,
    restricted to ``family``'s fixed-point subspace."""
    return RestrictedModel(paper_families(paper).network, r, family.m(r), family.generators(r))


def certify_member(paper: str, family: FamilySpec, r: int, y64, *, branch: int = 0, dps: int = 40,
                   deadline: float | None = None, full_space_inertia: bool | None = None) -> Member:
    """Newton, the Krawczyk test in the reduced coordinates, the loss on the box, and the
    full Hessian's inertia (isotypic blocks if ``q >= 4`` unless ``full_space_inertia``)."""
    start = time.monotonic()
    m = family.m(r)
    model = restricted_model(paper, family, r)
    try:
        centre = refine(model, np.asarray(y64, dtype=float), dps)
        cert = certify(model, centre, dps, deadline=deadline)
    except UndefinedQuantityError as exc:
        # e.g. a student row that is zero at the point or on the box: no Hessian there, so
        # neither Newton nor the Krawczyk test applies
        y_text = tuple(decimal_string(c, 20) for c in np.asarray(y64, dtype=float))
        return Member(family.name, branch, r, family.students(r), y_text, False, None, None, "uncertified",
                      None, None, None, None, "", (), time.monotonic() - start, f"not certifiable: {exc}")
    y_text = tuple(decimal_string(c, 20) for c in centre)
    if not cert.certified:
        return Member(family.name, branch, r, family.students(r), y_text, False, None, None, "uncertified",
                      None, None, None, None, "", (), time.monotonic() - start, cert.reason)
    layout = family.layout(r)
    use_full = full_space_inertia if full_space_inertia is not None else layout.q < 4
    with flint.ctx.workdps(dps):
        box = [arb(c.mid(), cert.radius) for c in centre]
        loss = model.ball_loss(box)
        W = model.full_point(box)
        if use_full:
            full = _full_model(paper, r, m)
            _, H = full.ball_gradient_hessian([v for row in W for v in row])
            inert = inertia(H)
            if inert.undecided:
                inert = inertia(H, eig_dps=min(dps, 60))
            blocks, source = (), "full Hessian"
        else:
            found = isotypic_blocks(paper_families(paper).network, layout, W)
            inert = full_inertia(found)
            blocks = tuple((b.name, b.dimension, b.size, b.inertia.negative, b.inertia.undecided,
                            b.inertia.positive) for b in found)
            source = "isotypic blocks"
    if loss.contains(0):
        point_type = "global"
    elif inert.negative:
        point_type = "saddle"
    elif not inert.undecided:
        point_type = "minimum"
    else:
        point_type = "degenerate"
    point_type, lifted = zero_student_lift(point_type, family.zero_students)
    return Member(family.name, branch, r, family.students(r), y_text, True, loss, cert.radius, point_type,
                  inert.negative, inert.undecided, inert.positive, inert.min_eigenvalue, source, blocks,
                  time.monotonic() - start, lifted)


def seed_zeros(paper: str, family: FamilySpec, settings: FollowSettings) -> tuple:
    """``(r0, [y, ...])``: the spurious zeros (float64 loss > 1e-9) found at ``r0``,
    lowest loss first, at most ``settings.branches``.

    Half the starts go to Levenberg-Marquardt with deflation, half to plain
    Levenberg-Marquardt: deflation from the global minima found first diverts the
    iteration away from some zeros near them (``split`` at r = 5: the branch with one
    teacher left uncovered, L = 0.2210, is found only without deflation), while deflation
    finds the zeros plain restarts keep missing.  The starts' scales cycle through
    :data:`START_SCALES`."""
    r0 = family.special + SEED_Q
    model = restricted_model(paper, family, r0)
    rng = np.random.default_rng([settings.seed, sum(map(ord, family.name)), r0])
    starts = [rng.standard_normal(model.n) * START_SCALES[k % len(START_SCALES)] for k in range(settings.starts)]
    zeros = find_zeros(model, starts[0::2], tol=CONVERGED)
    for y0 in starts[1::2]:
        y, gn = levenberg_marquardt(model, y0, tol=CONVERGED)
        if y is not None and gn < CONVERGED:
            zeros.append(y)
    scored = sorted(((model.loss_gradient64(z)[0], z) for z in zeros), key=lambda t: t[0])
    kept, losses = [], []
    for L, z in scored:
        if L > 1e-9 and all(abs(L - other) > 1e-9 * max(1.0, L) for other in losses):
            kept.append(z)
            losses.append(L)
    return r0, kept[:settings.branches]


def transfer(family: FamilySpec, r_from: int, y, r_to: int, paper: str | None = None) -> np.ndarray:
    """The reduced point at ``r_to`` whose entries have the values of the entries of the
    same role (:meth:`FamilySpec.role`) at ``r_from`` (0 for a role absent there): the
    continuation's map between r, also when the subspace's dimension changes.  ``paper``:
    the default family paper (:func:`default_family_paper`) when ``None``."""
    paper = default_family_paper() if paper is None else paper
    old = restricted_model(paper, family, r_from).basis
    new = restricted_model(paper, family, r_to).basis
    W = old.embed(y)
    value = {}
    for (i, j), _ in np.ndenumerate(W):
        value.setdefault(family.role(r_from, i, j), W[i, j])
    out = np.zeros(new.dimension)
    seen = set()
    for (i, j), label in np.ndenumerate(new.labels):
        if label >= 0 and label not in seen:
            seen.add(label)
            out[label] = new.signs[i, j] * value.get(family.role(r_to, i, j), 0.0)
    return out


def _continue(model, prediction, previous, previous_loss, r_ratio):
    """Levenberg-Marquardt from the prediction; None unless it converges near it, with a
    loss within a factor ``2 r_ratio^2`` of the previous member's."""
    y, gn = levenberg_marquardt(model, prediction, tol=CONVERGED, steps=CONTINUATION_STEPS)
    if y is None or not gn < CONVERGED:
        return None
    step = float(np.max(np.abs(prediction - previous)))
    if np.max(np.abs(y - prediction)) > max(0.25, 3 * step):
        return None  # jumped to another zero
    loss = model.loss_gradient64(y)[0]
    factor = 2 * r_ratio ** 2
    if previous_loss > 0 and not previous_loss / factor <= loss <= previous_loss * factor:
        return None  # jumped to another zero
    return y


def _predict_and_correct(paper, family, history, r):
    """One continuation step from the last members of ``history`` to ``r``."""
    model = restricted_model(paper, family, r)
    (ra, ya), (rb, yb) = history[-1], history[-2] if len(history) > 1 else history[-1]
    ya = transfer(family, ra, ya, r, paper)
    yb = transfer(family, rb, yb, r, paper)
    slope = (ya - yb) / (ra - rb) if ra != rb else 0 * ya
    prediction = ya + slope * (r - ra)
    previous_model = restricted_model(paper, family, ra)
    previous_loss = previous_model.loss_gradient64(history[-1][1])[0]
    return _continue(model, prediction, ya, previous_loss, max(r, ra) / min(r, ra))


def _step(paper, family, history, r, depth: int = 3, deadline: float | None = None):
    """Continue to ``r``; if the step fails, through the midpoint (at most ``depth`` halvings,
    none after ``deadline``)."""
    y = _predict_and_correct(paper, family, history, r)
    ra = history[-1][0]
    if y is not None or depth == 0 or abs(r - ra) < 2 or (deadline is not None and time.monotonic() > deadline):
        return y
    mid = (r + ra) // 2
    y_mid = _step(paper, family, history, mid, depth - 1, deadline)
    if y_mid is None:
        return None
    return _step(paper, family, history + [(mid, y_mid)], r, depth - 1, deadline)


def follow_family(paper: str, family: FamilySpec, settings: FollowSettings, *, deadline: float,
                  progress=None) -> tuple:
    """``(members, notes)`` for one family over the schedule of r."""
    members, notes = [], []
    path = r_schedule(family.min_r(), settings.r_max) if settings.r_max >= family.min_r() else ()
    wanted = {r for r in path if r >= settings.r_min}
    if not wanted:
        return (), (f"{family.name}: defined for r >= {family.min_r()}",)
    r0, seeds = seed_zeros(paper, family, settings)
    if not seeds:
        return (), (f"{family.name}: no spurious zero found at r = {r0} from {settings.starts} starts",)
    up = [r for r in path if r > r0]  # the continuation's path, whatever is certified
    down = list(range(r0 - 1, max(settings.r_min, family.min_r()) - 1, -1))  # small steps down
    for branch, y0 in enumerate(seeds):
        if r0 in wanted:
            members.append(certify_member(paper, family, r0, y0, branch=branch, dps=settings.dps,
                                          deadline=deadline))
            if progress is not None:
                progress(members[-1])
        for direction in (up, down):
            history = [(r0, y0)]
            for r in direction:
                if time.monotonic() > deadline:
                    notes.append(f"{family.name} branch {branch}: stopped at r = {r} by the budget")
                    break
                y = _step(paper, family, history, r, deadline=deadline)
                if y is None and time.monotonic() > deadline:
                    notes.append(f"{family.name} branch {branch}: stopped at r = {r} by the budget")
                    break
                if y is None:
                    last = _last_reached(paper, family, history, r, deadline)
                    for r_unit, y_unit in last:
                        if r_unit >= settings.r_min:
                            members.append(certify_member(paper, family, r_unit, y_unit, branch=branch,
                                                          dps=settings.dps, deadline=deadline))
                            if progress is not None:
                                progress(members[-1])
                    history.extend(last)
                    reached = history[-1][0]
                    notes.append(f"{family.name} branch {branch}: lost between r = {reached} and "
                                 f"{reached + (1 if r > reached else -1)}; " + fold_indicator(paper, family, history))
                    break
                history.append((r, y))
                if r not in wanted:
                    continue
                member = certify_member(paper, family, r, y, branch=branch, dps=settings.dps, deadline=deadline)
                members.append(member)
                if progress is not None:
                    progress(member)
    return tuple(_distinct(members)), tuple(notes)


def _last_reached(paper, family, history, r, deadline):
    """After a failed step to ``r``: unit steps from the last member towards ``r``, as far
    as they go; the members reached (not yet in ``history``)."""
    reached = []
    ra = history[-1][0]
    direction = 1 if r > ra else -1
    for r_unit in range(ra + direction, r, direction):
        if time.monotonic() > deadline:
            break
        y = _step(paper, family, history + reached, r_unit, depth=0)
        if y is None:
            break
        reached.append((r_unit, y))
    return reached


def fold_indicator(paper: str, family: FamilySpec, history) -> str:
    """The smallest ``|eigenvalue|`` of the restricted Hessian (float64, a guide only) at the
    last members reached: falling towards 0 as the branch is lost is the mark of a fold
    (two branches meeting and ending), a steady value that of a step too large."""
    parts = []
    for r, y in history[-3:]:
        model = restricted_model(paper, family, r)
        smallest = float(np.min(np.abs(np.linalg.eigvalsh(model.hessian64(y)))))
        parts.append(f"{smallest:.3g} at r = {r}")
    return "smallest |eigenvalue| of the restricted Hessian " + ", ".join(parts)


def _distinct(members):
    """Drop a member equal to an earlier one of the same family and r (branches that
    merged): same loss to 1e-15 relative."""
    out = []
    for member in members:
        dup = False
        if member.certified:
            for other in out:
                if (other.certified and other.r == member.r and other.family == member.family
                        and other.loss.overlaps(member.loss)):
                    dup = True
                    break
        if not dup:
            out.append(member)
    return out


def lowest_spurious(members) -> dict:
    """``{(r, width): Member}``: the lowest certified member with ``L > 0`` certainly."""
    best = {}
    for member in members:
        if not member.certified or member.point_type == "global" or not member.loss > 0:
            continue
        key = member.r
        if key not in best or member.loss.mid() < best[key].loss.mid():
            best[key] = member
    return best


def fitted_exponent(points) -> tuple:
    """Least-squares slope of ``log L`` against ``log r`` and its standard error
    (``points``: ``[(r, L)]``, at least 3)."""
    if len(points) < 3:
        return None, None
    x = np.log([p[0] for p in points])
    v = np.log([p[1] for p in points])
    A = np.vstack([x, np.ones_like(x)]).T
    coef, res, *_ = np.linalg.lstsq(A, v, rcond=None)
    dof = len(points) - 2
    sigma2 = float(np.sum((v - A @ coef) ** 2)) / dof if dof > 0 else math.nan
    cov = sigma2 * np.linalg.inv(A.T @ A)
    return float(coef[0]), float(math.sqrt(cov[0, 0]))
