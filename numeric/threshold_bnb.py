"""Branch and bound for the stationary points of a function below a level, on boxes.

Proves, for a model (:class:`BoxModel`: enclosures of ``f``, ``grad f`` and ``Hess f`` over
batches of boxes, in :mod:`numeric.interval`), that every stationary point of ``f`` with
``f < level`` in the model's domain is either a known zero of ``f`` (its global minima) or
one of a finite list of certified points, each alone in a box and with its value enclosed.

Every box is, in this order:

1. ``pruned``: outside the domain by a rule of the model (symmetry, a proven bound);
2. ``loss``: the enclosure of ``f`` over the box is ``>= level`` (the naive enclosure
   intersected with the mean-value form ``f(c) + grad f(B) . (B - c)``, whose width is
   quadratic in the box near a stationary point);
3. ``gradient``: some component of ``grad f``'s enclosure excludes 0; ``zero-row``: the
   model shows that every stationary point of the box has a zero row, and those are
   accounted for separately (the teacher-student blow-up, with the width ``m - 1`` proved);
4. Krawczyk (where the model says ``f`` is C^2 on the box): on the box ``B'`` inflated
   by ``inflation`` around its centre ``c``, ``K = c - Y g(c) + (I - Y H(B')) (B' - c)``
   with ``Y`` the float inverse of ``H``'s midpoint.  Every zero of ``grad f`` in ``B'``
   lies in ``K`` (mean-value theorem), so ``K`` disjoint from ``B'`` discards the box
   (``excluded``); ``K`` inside the interior of ``B'`` proves exactly one zero in ``B'``
   (Krawczyk 1969, Moore's existence theorem), enclosed by ``K`` and then by
   ``K(Z) cap Z`` iterated from ``Z = K``.  That zero is a
   ``global`` minimum if a known zero of ``f`` lies in ``B'``; otherwise, if ``f(K)``'s
   enclosure is ``>= level`` the box is discarded (``loss``), and if it is ``> 0`` the
   point is a certified ``spurious`` stationary point with its value enclosed;
5. otherwise the box is bisected across its widest side, or left ``unresolved`` once its
   width is below ``min_width`` or the live boxes reach ``max_boxes``, or when the
   time ``budget`` runs out.

The verdict is ``certified`` when no box is unresolved: then the lowest spurious value is
the exact infimum over the domain of spurious values below the level (none: no spurious
stationary point has ``0 < f < level``).  Work is in float64 intervals, vectorised over
batches of boxes; memory is checked before each batch is allocated.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from numeric.interval import Interval, down, up

__all__ = ["BoxModel", "BnbSettings", "BnbResult", "SpuriousPoint", "OUTCOMES", "branch_and_bound",
           "krawczyk", "distinct_points", "slice_boxes"]

#: Leaf outcomes, in the order of the tests.
OUTCOMES = ("pruned", "loss", "gradient", "excluded", "global", "spurious", "unresolved", "zero-row")
_CODE = {name: k for k, name in enumerate(OUTCOMES)}

#: Bytes per live box (end points) and per stored leaf (end points and outcome), generous.
_BYTES_PER_BOX = 64


class BoxModel(Protocol):
    """What the branch and bound needs; arrays ``lo, hi`` are ``(N, n)``."""

    n: int

    def initial_box(self) -> tuple: ...
    def prune(self, lo, hi) -> np.ndarray: ...
    def smooth(self, lo, hi) -> np.ndarray: ...
    def loss_gradient(self, lo, hi, want_gradient: bool = True) -> tuple: ...
    def gradient(self, lo, hi) -> Interval: ...
    def hessian(self, lo, hi) -> Interval: ...
    def zero_points(self) -> np.ndarray: ...


@dataclass(frozen=True)
class BnbSettings:
    """``budget`` seconds; ``max_boxes`` live boxes; ``batch`` boxes per vectorised step;
    ``min_width``: boxes narrower than this are left unresolved; ``krawczyk_width``: the
    Krawczyk test is tried on boxes at most this wide; ``inflation``: the factor of the
    box inflated for it; ``keep_leaves``: store the decided boxes (for figures), at most
    this many."""

    budget: float = 60.0
    max_boxes: int = 2_000_000
    batch: int = 4096
    min_width: float = 1e-9
    krawczyk_width: float = 0.25
    inflation: float = 1.25
    keep_leaves: int = 1_000_000


@dataclass(frozen=True)
class SpuriousPoint:
    """A certified stationary point with ``f > 0``: the box ``lo, hi`` holds exactly one
    zero of the gradient, and ``f`` there lies in ``[value_lo, value_hi]``."""

    lo: np.ndarray
    hi: np.ndarray
    value_lo: float
    value_hi: float


@dataclass(frozen=True)
class BnbResult:
    level: float
    counts: dict
    spurious: tuple
    seconds: float
    volume_decided: float  # share of the initial box's volume
    finished: bool  # no box left unresolved or undone
    leaves: tuple = field(default=(), repr=False)  # (lo, hi, outcome code) arrays

    @property
    def boxes(self) -> int:
        return int(sum(self.counts.values()))

    @property
    def certified(self) -> bool:
        return self.finished

    def lowest_spurious(self) -> SpuriousPoint | None:
        below = [p for p in self.spurious if p.value_lo < self.level]
        return min(below, key=lambda p: p.value_lo) if below else None


def _matvec(A: Interval, x: Interval) -> Interval:
    """``A x`` for ``(N, n, n)`` and ``(N, n)`` intervals."""
    return (A * Interval(x.lo[:, None, :], x.hi[:, None, :])).sum(2)


def krawczyk(model, lo, hi, inflation: float):
    """The Krawczyk operator on the boxes ``[lo, hi]`` inflated by ``inflation``.

    Returns ``(status, K_lo, K_hi, B_lo, B_hi)`` with status per box ``1``: exactly one
    zero of the gradient in the inflated box ``B``, inside ``K``; ``-1``: none in ``B``;
    ``0``: undecided."""
    c = 0.5 * lo + 0.5 * hi
    half = (hi - lo) * (0.5 * inflation)
    B_lo, B_hi = down(c - half), up(c + half)
    N, n = lo.shape
    H = model.hessian(B_lo, B_hi)
    mid = H.mid()
    status = np.zeros(N, dtype=int)
    finite = np.all(np.isfinite(H.lo) & np.isfinite(H.hi), axis=(1, 2))
    Y = np.zeros_like(mid)
    ok = finite.copy()
    if np.any(finite):
        with np.errstate(all="ignore"):
            cond = np.linalg.cond(mid[finite])
        good = np.where(finite)[0][np.isfinite(cond) & (cond < 1e12)]
        ok[:] = False
        ok[good] = True
        if good.size:
            Y[good] = np.linalg.inv(mid[good])
    gc = model.gradient(c, c)
    Yi = Interval.point(Y)
    eye = Interval.point(np.broadcast_to(np.eye(n), (N, n, n)))
    YH = (Interval(Y[:, :, :, None], Y[:, :, :, None]) * Interval(H.lo[:, None, :, :], H.hi[:, None, :, :])).sum(2)
    K = Interval.point(c) - _matvec(Yi, gc) + _matvec(eye - YH, Interval(B_lo, B_hi) - c)
    inside = np.all((K.lo > B_lo) & (K.hi < B_hi), axis=1)
    disjoint = np.any((K.lo > B_hi) | (K.hi < B_lo), axis=1)
    status[ok & inside] = 1
    status[ok & disjoint & ~inside] = -1
    return status, K.lo, K.hi, B_lo, B_hi


def _tighten(model, lo, hi, rounds: int = 6):
    """Krawczyk iterated on boxes known to hold exactly one zero: the zero stays in
    ``K(Z) cap Z``, which shrinks quadratically (the loss there then has a tight enclosure)."""
    for _ in range(rounds):
        _, K_lo, K_hi, _, _ = krawczyk(model, lo, hi, 1.0)
        new_lo, new_hi = np.maximum(lo, K_lo), np.minimum(hi, K_hi)
        ok = np.all(new_lo <= new_hi, axis=1) & np.all(np.isfinite(new_lo) & np.isfinite(new_hi), axis=1)
        lo = np.where(ok[:, None], new_lo, lo)
        hi = np.where(ok[:, None], new_hi, hi)
    return lo, hi


def _loss_enclosure(model, lo, hi):
    """Naive enclosure intersected with the mean-value form where the model is smooth."""
    L, g = model.loss_gradient(lo, hi)
    c = 0.5 * lo + 0.5 * hi
    smooth = model.smooth(lo, hi)
    if np.any(smooth):
        Lc = model.loss_gradient(c, c, want_gradient=False)[0]
        mv = Lc + (g * (Interval(lo, hi) - c)).sum(1)
        both = L.intersect(mv)
        L = Interval(np.where(smooth, both.lo, L.lo), np.where(smooth, both.hi, L.hi))
    return L, g, smooth


def _volume(lo, hi, scale):
    return float(np.sum(np.prod((hi - lo) / scale, axis=1)))


def branch_and_bound(model, level: float, settings: BnbSettings = BnbSettings(),
                     memory_limit: int = 1 << 30) -> BnbResult:
    """Run the branch and bound below ``level`` (see the module docstring)."""
    start = time.perf_counter()
    lo0, hi0 = model.initial_box()
    lo0, hi0 = np.asarray(lo0, float), np.asarray(hi0, float)
    scale = np.where(hi0 > lo0, hi0 - lo0, 1.0)
    zeros = model.zero_points()
    counts = {name: 0 for name in OUTCOMES}
    spurious: list = []
    leaves_lo, leaves_hi, leaves_code = [], [], []
    kept = 0
    decided_volume = 0.0
    stack_lo, stack_hi = [lo0[None, :]], [hi0[None, :]]
    live = 1
    finished = True

    def keep(lo, hi, code):
        nonlocal kept, decided_volume
        if lo.shape[0] == 0:
            return
        counts[OUTCOMES[code]] += lo.shape[0]
        if code != _CODE["unresolved"]:
            decided_volume += _volume(lo, hi, scale)
        # undecided boxes are always kept (they say where the proof stopped; their number is
        # bounded by max_boxes), decided ones up to keep_leaves
        room = lo.shape[0] if code == _CODE["unresolved"] else settings.keep_leaves - kept
        if room > 0:
            leaves_lo.append(lo[:room]), leaves_hi.append(hi[:room])
            leaves_code.append(np.full(min(room, lo.shape[0]), code, dtype=np.int8))
            kept += min(room, lo.shape[0])

    while stack_lo:
        if time.perf_counter() - start > settings.budget:
            finished = False
            break
        lo, hi = stack_lo.pop(), stack_hi.pop()
        if lo.shape[0] > settings.batch:
            stack_lo.append(lo[settings.batch:]), stack_hi.append(hi[settings.batch:])
            lo, hi = lo[:settings.batch], hi[:settings.batch]
        live -= lo.shape[0]
        need = lo.shape[0] * model.n * model.n * 8 * 40  # the Hessian's temporaries dominate
        if need > memory_limit:
            raise MemoryError(f"a batch of {lo.shape[0]} boxes needs about {need} bytes; lower the batch")

        pruned = model.prune(lo, hi)
        keep(lo[pruned], hi[pruned], _CODE["pruned"])
        lo, hi = lo[~pruned], hi[~pruned]

        L, g, smooth = _loss_enclosure(model, lo, hi)
        by_loss = L.lo >= level
        keep(lo[by_loss], hi[by_loss], _CODE["loss"])
        by_grad = ~by_loss & np.any((g.lo > 0) | (g.hi < 0), axis=1)
        keep(lo[by_grad], hi[by_grad], _CODE["gradient"])
        rest = ~by_loss & ~by_grad
        lo, hi, smooth = lo[rest], hi[rest], smooth[rest]
        zero_row_excluded = getattr(model, "zero_row_excluded", None)
        if zero_row_excluded is not None and np.any(~smooth):
            small = ~smooth & (np.max(hi - lo, axis=1) <= settings.krawczyk_width)
            idx = np.where(small)[0]
            by_zero = np.zeros(lo.shape[0], dtype=bool)
            if idx.size:
                by_zero[idx] = zero_row_excluded(lo[idx], hi[idx])
            keep(lo[by_zero], hi[by_zero], _CODE["zero-row"])
            lo, hi, smooth = lo[~by_zero], hi[~by_zero], smooth[~by_zero]

        width = np.max(hi - lo, axis=1)
        tryk = smooth & (width <= settings.krawczyk_width)
        decided = np.zeros(lo.shape[0], dtype=bool)
        if np.any(tryk):
            idx = np.where(tryk)[0]
            status, K_lo, K_hi, B_lo, B_hi = krawczyk(model, lo[idx], hi[idx], settings.inflation)
            excl = idx[status == -1]
            keep(lo[excl], hi[excl], _CODE["excluded"])
            decided[excl] = True
            uniq = np.where(status == 1)[0]
            if uniq.size:
                i_box = idx[uniq]
                Kl, Kh, Bl, Bh = K_lo[uniq], K_hi[uniq], B_lo[uniq], B_hi[uniq]
                known = np.zeros(uniq.size, dtype=bool)
                for z in zeros:
                    known |= np.all((z[0] >= Bl) & (z[1] <= Bh), axis=1)
                keep(lo[i_box[known]], hi[i_box[known]], _CODE["global"])
                decided[i_box[known]] = True
                Kl, Kh = _tighten(model, Kl, Kh)
                LK, _, _ = _loss_enclosure(model, Kl, Kh)
                high = ~known & (LK.lo >= level)
                keep(lo[i_box[high]], hi[i_box[high]], _CODE["loss"])
                decided[i_box[high]] = True
                spur = ~known & ~high & (LK.lo > 0)
                for k in np.where(spur)[0]:
                    _add_spurious(spurious, SpuriousPoint(Kl[k].copy(), Kh[k].copy(), float(LK.lo[k]), float(LK.hi[k])))
                keep(lo[i_box[spur]], hi[i_box[spur]], _CODE["spurious"])
                decided[i_box[spur]] = True
        lo, hi, width = lo[~decided], hi[~decided], width[~decided]
        tiny = width < settings.min_width
        if np.any(tiny) or (live + 2 * lo.shape[0] > settings.max_boxes):
            stop = tiny | (live + 2 * lo.shape[0] > settings.max_boxes)
            keep(lo[stop], hi[stop], _CODE["unresolved"])
            finished = False
            lo, hi = lo[~stop], hi[~stop]
        if lo.shape[0] == 0:
            continue
        axis = np.argmax((hi - lo) / scale, axis=1)
        rows = np.arange(lo.shape[0])
        midpoint = 0.5 * lo[rows, axis] + 0.5 * hi[rows, axis]
        left_hi = hi.copy()
        left_hi[rows, axis] = midpoint
        right_lo = lo.copy()
        right_lo[rows, axis] = midpoint
        stack_lo.append(np.concatenate([lo, right_lo])), stack_hi.append(np.concatenate([left_hi, hi]))
        live += 2 * lo.shape[0]

    if stack_lo:
        keep(np.concatenate(stack_lo), np.concatenate(stack_hi), _CODE["unresolved"])
    leaves = ()
    if leaves_lo:
        leaves = (np.concatenate(leaves_lo), np.concatenate(leaves_hi), np.concatenate(leaves_code))
    return BnbResult(level=level, counts=counts, spurious=tuple(spurious),
                     seconds=time.perf_counter() - start, volume_decided=decided_volume,
                     finished=finished and not stack_lo, leaves=leaves)


def _add_spurious(found: list, point: SpuriousPoint) -> None:
    """Record a certified point.  Several boxes may certify the same zero (their inflated
    boxes overlap); all enclosures are kept, so the lowest lower end over them is a valid
    lower end for the lowest spurious value.  Identical enclosures are stored once."""
    for other in found:
        if np.array_equal(point.lo, other.lo) and np.array_equal(point.hi, other.hi):
            return
    found.append(point)


def distinct_points(points) -> list:
    """Groups of overlapping enclosures (for display: a group may, in principle, hold two
    points, each enclosure exactly one)."""
    groups: list = []
    for p in points:
        for g in groups:
            if any(np.all(p.lo <= q.hi) and np.all(q.lo <= p.hi) for q in g):
                g.append(p)
                break
        else:
            groups.append([p])
    return groups


def slice_boxes(result: BnbResult, axes: tuple, point) -> list:
    """The stored leaves met by the 2-D plane through ``point`` spanned by ``axes``: rows
    ``[x_lo, x_hi, y_lo, y_hi, outcome]`` (floats, outcome an index into :data:`OUTCOMES`)."""
    if not result.leaves:
        return []
    lo, hi, code = result.leaves
    point = np.asarray(point, float)
    other = [k for k in range(lo.shape[1]) if k not in axes]
    met = np.all((lo[:, other] <= point[other]) & (point[other] <= hi[:, other]), axis=1)
    i, j = axes
    return [[float(lo[k, i]), float(hi[k, i]), float(lo[k, j]), float(hi[k, j]), int(code[k])]
            for k in np.where(met)[0]]
