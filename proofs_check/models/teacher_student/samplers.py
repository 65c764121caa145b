"""Configurations in the sublevel set ``{L <= level}``, covering what it really contains.

A :class:`SublevelSpec` is pure data: Delta-separated teachers with norms in
``[w_min, w_max]``, a split of the ``m`` students over the ``r`` teachers (uneven ones
too), each student's share ``p_j`` of its teacher (``||w_j|| w_j = p_j w*_i`` at the
minimum, shares summing to 1: mass imbalance), its sign, a perturbation direction, and
stray small students pointing anywhere.  Its family says how the perturbation acts:

* ``"random"``: ``w_j(s) = w_j^0 + s xi_j`` (angular and radial);
* ``"claim2"``: the students of a group rotate by ``+-s`` in a plane with norms
  ``sqrt(p ||w*|| / cos s)``, Claim 2's degenerate direction (loss ``Theta(s^3)``);
* ``"split"``: uneven splits: the students of a group rotate to opposite sides, the pair
  ``(p_a, p_b)`` by ``t_a = s`` and ``t_b = atan(p_a tan s / p_b)``, so that the first-order
  terms still cancel (``p_a tan t_a = p_b tan t_b``) with pieces at different angles;
* ``"stray"``: aligned groups plus stray students of norm ``~ s``, pointing anywhere.

With ``relaxed=True`` only the first group (``"stray"``: the strays) is perturbed; the
other students are then re-fitted (norms and directions) by minimising ``L`` with the
perturbation held (:func:`numeric.level_set.relax_students`), so that the loss measures
the perturbation alone.  :func:`make_spec` is the one place that turns drawn parts into a
spec; :func:`random_spec` (numpy) and :func:`proofs_check.models.teacher_student.strategies.sublevel_specs`
(Hypothesis) only draw the parts.

:func:`configuration_at_level` solves ``L(W(s)) = level`` for ``s`` at a precision chosen
from the level (``digits = -log10(level) + 30``), so levels from 1e-2 down to the paper's
own eps0 (~1e-70 and below) work.

>>> rng = np.random.default_rng(0)
>>> spec = random_spec(rng, r=2, m=3, d=3)
>>> sample = configuration_at_level(spec, 1e-6)
>>> abs(float(to_mpf(sample.loss.mid())) / 1e-6 - 1) < 1e-3
True
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np

from numeric.config import Configuration
from numeric.level_set import digits_for_level
from numeric.precise import evaluate
from numeric.numbers import to_mpf
from proofs_check.errors import UsageError

__all__ = [
    "FAMILIES",
    "SublevelSpec",
    "Sample",
    "separated_teachers",
    "random_spec",
    "make_spec",
    "configuration_at_scale",
    "configuration_at_level",
    "dps_for_level",
    "relaxed_configuration",
    "up_to_sign_angle",
]

FAMILIES = ("random", "claim2", "split", "stray")


def up_to_sign_angle(u, v) -> float:
    """The paper's angle ``arccos(|u.v| / (|u||v|))`` in ``[0, pi/2]``, via atan2."""
    u, v = np.asarray(u, float), np.asarray(v, float)
    c = abs(float(u @ v))
    s = math.sqrt(max(0.0, float(u @ u) * float(v @ v) - c * c))
    return math.atan2(s, c)


def dps_for_level(level) -> int:
    """Working digits for a loss level: cancellation costs ``-log10(level)`` digits."""
    return digits_for_level(level, guard=30)


def separated_teachers(rng, r: int, d: int, Delta: float = 0.5, w_min: float = 1.0,
                       w_max: float = 1.0, tries: int = 2000) -> np.ndarray:
    """``r`` teacher rows, pairwise up-to-sign angle ``>= Delta``, norms in ``[w_min, w_max]``.

    With ``Delta = pi/2`` and ``r <= d`` the teachers are a random orthogonal frame.
    """
    if not (0 < w_min <= w_max) or not math.isfinite(w_max):
        raise UsageError(f"norm bounds w_min = {w_min}, w_max = {w_max} need 0 < w_min <= w_max")
    if not (0 <= Delta <= math.pi / 2):
        raise UsageError(f"Delta = {Delta} must lie in [0, pi/2] (the up-to-sign angle)")
    norms = rng.uniform(w_min, w_max, size=r)
    if Delta >= math.pi / 2 - 1e-12:
        if r > d:
            raise UsageError(f"r = {r} orthogonal teachers do not fit in d = {d} dimensions")
        q, _ = np.linalg.qr(rng.standard_normal((d, d)))
        return q[:, :r].T * norms[:, None]
    dirs = []
    for _ in range(tries):
        v = rng.standard_normal(d)
        v /= np.linalg.norm(v)
        if all(up_to_sign_angle(v, w) >= Delta for w in dirs):
            dirs.append(v)
            if len(dirs) == r:
                return np.array(dirs) * norms[:, None]
    raise UsageError(
        f"could not place r = {r} teachers Delta = {Delta:.3g}-separated in d = {d} dimensions "
        f"after {tries} tries; lower Delta or raise d"
    )


@dataclass(frozen=True)
class SublevelSpec:
    """Pure data describing a path ``W(s)`` from a global minimum (``s = 0``) outwards.

    ``assignment[j]`` is the teacher of student ``j`` (or -1 for a stray student),
    ``shares[j]`` its share ``p_j`` (shares of a group sum to 1), ``signs[j]`` in {+1, -1},
    ``directions[j]`` a perturbation vector (for strays: the stray direction).
    """

    teacher: tuple  # r rows of floats
    assignment: tuple
    shares: tuple
    signs: tuple
    directions: tuple  # m rows
    family: str = "random"
    relaxed: bool = False

    def __post_init__(self):
        r, m = len(self.teacher), len(self.assignment)
        if self.family not in FAMILIES:
            raise UsageError(f"family = {self.family!r} is not one of {FAMILIES}")
        for i in range(r):
            if i not in self.assignment:
                raise UsageError(f"teacher {i} has no student: every teacher needs one (m >= r)")
        for name, seq in (("shares", self.shares), ("signs", self.signs), ("directions", self.directions)):
            if len(seq) != m:
                raise UsageError(f"{name} has {len(seq)} entries, assignment has m = {m}")

    @property
    def r(self):
        return len(self.teacher)

    @property
    def m(self):
        return len(self.assignment)


@dataclass(frozen=True)
class Sample:
    config: Configuration
    loss: object  # arb ball
    scale: object  # mpf: the path parameter s
    level: float
    dps: int
    spec: SublevelSpec


def make_spec(teacher, family: str, assignment, raw_shares, signs, directions,
              relaxed: bool = False) -> SublevelSpec:
    """A :class:`SublevelSpec` from drawn parts: shares normalised per group (at least
    ``1e-3`` before normalising; ``"claim2"``: balanced), numbers as plain floats."""
    m = len(assignment)
    shares = [0.0] * m
    for i in set(a for a in assignment if a >= 0):
        idx = [j for j in range(m) if assignment[j] == i]
        vals = [1.0] * len(idx) if family == "claim2" else [max(float(raw_shares[j]), 1e-3) for j in idx]
        total = sum(vals)
        for j, v in zip(idx, vals):
            shares[j] = v / total
    return SublevelSpec(
        teacher=tuple(tuple(float(x) for x in row) for row in teacher),
        assignment=tuple(int(a) for a in assignment),
        shares=tuple(shares),
        signs=tuple(int(x) for x in signs),
        directions=tuple(tuple(float(x) for x in row) for row in directions),
        family=str(family),
        relaxed=bool(relaxed),
    )


def random_spec(rng, r: int, m: int, d: int, *, Delta: float = 0.5, w_min: float = 1.0,
                w_max: float = 1.0, family: str | None = None, strays: int | None = None,
                teacher=None, relaxed: bool = False) -> SublevelSpec:
    """A random :class:`SublevelSpec`: uneven splits, imbalanced shares, sign flips, strays."""
    if m < r:
        raise UsageError(f"m = {m} students cannot cover r = {r} teachers (need m >= r)")
    T = separated_teachers(rng, r, d, Delta, w_min, w_max) if teacher is None else np.asarray(teacher, float)
    # Drawn among random, claim2, stray only (the draws existing suites were seeded with);
    # "split" is asked for by name.
    family = family or rng.choice(FAMILIES[:2] + FAMILIES[3:], p=[0.4, 0.4, 0.2])
    n_stray = strays if strays is not None else (rng.integers(1, m - r + 1) if family == "stray" and m > r else 0)
    if family == "stray" and n_stray == 0:
        family = "random"
    assignment = list(range(r)) + list(rng.integers(0, r, size=m - r - n_stray)) + [-1] * n_stray
    rng.shuffle(assignment)
    raw = np.zeros(m)
    for i in range(r):
        idx = [j for j in range(m) if assignment[j] == i]
        # Dirichlet with small concentration gives strongly uneven shares now and then.
        if family != "claim2":
            raw[idx] = rng.dirichlet(np.full(len(idx), rng.choice([0.3, 1.0, 5.0])))
    signs = rng.choice([-1, 1], size=m)
    directions = rng.standard_normal((m, d))
    return make_spec(T, family, assignment, raw, signs, directions, relaxed)


def configuration_at_scale(spec: SublevelSpec, s) -> Configuration:
    """``W(s)`` for the path of ``spec``; call inside ``mpmath.workdps`` for tiny ``s``."""
    s = mpmath.mpf(s)
    T = [[mpmath.mpf(x) for x in row] for row in spec.teacher]
    rows = []
    pair_seen = {}
    # Shares renormalised at the working precision, so that W(0) is exactly a minimum.
    totals = {}
    for j, i in enumerate(spec.assignment):
        totals[i] = totals.get(i, 0) + mpmath.mpf(spec.shares[j])
    for j, i in enumerate(spec.assignment):
        xi = [mpmath.mpf(x) for x in spec.directions[j]]
        if i < 0:  # stray: small norm, any direction
            rows.append([s * x for x in xi])
            continue
        tn = mpmath.sqrt(mpmath.fsum(x * x for x in T[i]))
        t_hat = [x / tn for x in T[i]]
        p = mpmath.mpf(spec.shares[j]) / totals[i]
        sign = spec.signs[j]
        if spec.relaxed and i != _held_group(spec):
            radius = mpmath.sqrt(p * tn)  # at the minimum; re-fitted after placement
            rows.append([sign * radius * a for a in t_hat])
            continue
        if spec.family in ("claim2", "split"):
            # Rotate by +-s in the plane (t_hat, e); e is shared by the group (from the
            # direction of its first student), so that the pair's first-order terms cancel.
            first = spec.assignment.index(i)
            xg = [mpmath.mpf(x) for x in spec.directions[first]]
            along = mpmath.fsum(a * b for a, b in zip(xg, t_hat))
            e = [x - along * y for x, y in zip(xg, t_hat)]
            en = mpmath.sqrt(mpmath.fsum(x * x for x in e))
            e = [x / en for x in e] if en > 0 else e
            k = pair_seen.get(i, 0)
            pair_seen[i] = k + 1
            size = spec.assignment.count(i)
            # Pairs rotate to opposite sides; an odd one out stays aligned.
            side = 0 if (size % 2 == 1 and k == size - 1) else (1 if k % 2 == 0 else -1)
            angle = s
            if spec.family == "split" and side == -1:
                # The partner of the previous student: p_a tan t_a = p_b tan t_b.
                prev = [q for q, a in enumerate(spec.assignment) if a == i][k - 1]
                pa = mpmath.mpf(spec.shares[prev]) / totals[i]
                angle = mpmath.atan(pa * mpmath.tan(s) / p)
            radius = mpmath.sqrt(p * tn / mpmath.cos(angle))
            rows.append([sign * radius * (mpmath.cos(angle) * a + side * mpmath.sin(angle) * b)
                         for a, b in zip(t_hat, e)])
        else:
            radius = mpmath.sqrt(p * tn)
            rows.append([sign * radius * a + s * radius * x for a, x in zip(t_hat, xi)])
    return Configuration(T, rows)


def _held_group(spec: SublevelSpec) -> int:
    """The group whose perturbation a relaxed spec holds: the strays, else teacher 0."""
    return -1 if spec.family == "stray" else 0


def relaxed_configuration(spec: SublevelSpec, config: Configuration, dps: int) -> Configuration:
    """``config`` with the students outside the held group re-fitted (minimising ``L``)."""
    from numeric.level_set import relax_students

    held = _held_group(spec)
    free = [j for j, a in enumerate(spec.assignment) if a != held]
    W = relax_students(config.teacher, [[mpmath.mpf(x.numerator) / x.denominator for x in row]
                                        for row in config.student], free, dps=dps)
    return Configuration(config.teacher, [list(row) for row in W], config.activation)


def configuration_at_level(spec: SublevelSpec, level, *, rtol: float = 1e-4, dps: int | None = None) -> Sample:
    """Solve ``L(W(s)) = level`` for ``s`` (secant in log-log) and return the sample.

    The loss is evaluated with python-flint balls at ``dps_for_level(level)`` digits.
    """
    level = mpmath.mpf(level)
    if not level > 0:
        raise UsageError(f"loss level = {level} must be positive")
    dps = dps or dps_for_level(level)
    with mpmath.workdps(dps):
        def log_loss(log_s):
            cfg = configuration_at_scale(spec, mpmath.exp(log_s))
            if spec.relaxed:
                cfg = relaxed_configuration(spec, cfg, dps)
            L = evaluate(cfg, dps, gradient=False).loss
            value = to_mpf(L.mid())
            return (mpmath.log(value) if value > 0 else mpmath.mpf(-10**6)), cfg, L

        target = mpmath.log(level)
        # Bracket: the loss grows with s near the minimum (L ~ s^2 or s^3).
        lo, hi = mpmath.log(mpmath.mpf(10) ** (-dps // 2)), mpmath.log(mpmath.mpf("1.2"))
        f_lo, f_hi = log_loss(lo)[0], log_loss(hi)[0]
        if not (f_lo <= target <= f_hi):
            raise UsageError(
                f"loss level {mpmath.nstr(level, 3)} is outside the range of this path "
                f"[{mpmath.nstr(mpmath.exp(f_lo), 3)}, {mpmath.nstr(mpmath.exp(f_hi), 3)}]"
            )
        best = None
        for _ in range(200):
            # Secant step, safeguarded by bisection.
            x = lo + (target - f_lo) * (hi - lo) / (f_hi - f_lo) if f_hi != f_lo else (lo + hi) / 2
            if not (lo < x < hi) or _ % 3 == 2:
                x = (lo + hi) / 2
            fx, cfg, L = log_loss(x)
            best = (fx, cfg, L, x)
            if abs(fx - target) < rtol / 2:
                break
            if fx < target:
                lo, f_lo = x, fx
            else:
                hi, f_hi = x, fx
        fx, cfg, L, x = best
        return Sample(cfg, L, mpmath.exp(x), float(level), dps, spec)
