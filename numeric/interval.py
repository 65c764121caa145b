"""Float64 interval arithmetic with outward rounding, vectorised over numpy arrays.

An :class:`Interval` holds two arrays ``lo <= hi`` of one shape; every operation returns an
interval that contains the exact result of the operation for every choice of real numbers
in its operands.  The rules, and why each is rigorous:

* ``+ - * /`` and ``sqrt`` are correctly rounded by IEEE 754 (round to nearest), so the
  exact result of one operation on float operands lies within one ulp of the float result;
  stepping each end point at least one float outward (:func:`down`, :func:`up`) encloses it.  Products take
  the min and max of the four end-point products (each stepped outward); a quotient whose
  divisor contains 0 is the whole line.  Overflow and ``inf * 0`` give the whole line.
* ``pi``: the float64 nearest pi is below pi, so ``[np.pi, up(np.pi)]``
  encloses it.
* ``atan`` (numpy's is not correctly rounded, so it is not used): for ``0 <= q <= 1``,
  three half-angle reductions ``t -> t / (1 + sqrt(1 + t^2))`` (``atan t = 2 atan(t')``)
  bring the argument to ``t <= tan(pi/32) < 0.1``, where the alternating Taylor series
  ``sum_k (-1)^k t^(2k+1) / (2k+1)`` has terms decreasing to 0, so (Leibniz) a partial sum
  ending on a negative term is a lower bound and one ending on a positive term an upper
  bound.  Every operation is rounded in the direction that keeps the bound (the reduction
  is increasing in ``t``; a lower bound rounds positive terms down and negative terms'
  magnitudes up), and ``atan`` is increasing, so over an interval of ``q`` the enclosure is
  [lower bound at ``q.lo``, upper bound at ``q.hi``].
* ``atan2(y, x)`` for ``y, x >= 0`` is ``atan(y/x)`` when ``y <= x`` and
  ``pi/2 - atan(x/y)`` otherwise (the quotient then lies in ``[0, 1]``); it increases in
  ``y`` and decreases in ``x``, which gives the end points over a box.
* The angle between two vectors uses Kahan's form ``theta = 2 atan2(|a - b|, |a + b|)``
  for unit ``a, b``: exact at aligned (``|a - b| = 0``) and antipodal (``|a + b| = 0``)
  vectors, where ``acos`` of the dot product loses half the digits.  ``sin theta =
  |a - b| |a + b| / 2`` and ``cos theta = (|a + b|^2 - |a - b|^2) / 4`` follow from
  ``|a - b| = 2 sin(theta/2)``, ``|a + b| = 2 cos(theta/2)``.  A vector whose enclosure
  contains 0 has no direction: :func:`unit_vectors` returns the whole line for it and
  callers fall back to bounds that hold for every angle.

>>> x = Interval.point(np.array([0.1]))
>>> y = x * 3
>>> bool(y.lo[0] < 0.30000000000000004 <= y.hi[0])
True
>>> a = atan(Interval.point(np.array([1.0])))  # pi/4
>>> bool(a.lo[0] <= 0.7853981633974483 <= a.hi[0]), float(a.hi[0] - a.lo[0]) < 1e-14
(True, True)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Interval", "PI", "atan", "atan2_nonnegative", "angle_sin_cos", "unit_vectors", "norms",
           "dot", "outer_over_norm", "down", "up"]

_INF = np.inf
#: Half-angle reductions, then terms of the atan series at ``t < 0.1``: the first omitted
#: term is below 0.1^21 / 21 < 1e-22.
_REDUCTIONS = 3
_ATAN_TERMS = 9


_EPS = 2.0 ** -52
_TINY = 2.0 ** -1074


def down(x):
    """A float at most the float below ``x`` (the lower end of a correctly rounded result).

    ``x - (|x| 2^-52 + 2^-1074)``: the subtracted amount is at least one ulp of ``x`` (for
    ``x`` in ``[2^e, 2^(e+1))`` the ulp is ``2^(e-52)``, for subnormals ``2^-1074``), and
    rounding to nearest is monotone, so the result is at most the float below ``x``.
    Cheaper than ``np.nextafter`` and as rigorous (it may step two floats)."""
    with np.errstate(invalid="ignore"):
        r = x - (np.abs(x) * _EPS + _TINY)
    return np.where(r == r, r, -_INF)  # down(+inf) is nan: the whole line's lower end


def up(x):
    """A float at least the float above ``x`` (see :func:`down`)."""
    with np.errstate(invalid="ignore"):
        r = x + (np.abs(x) * _EPS + _TINY)
    return np.where(r == r, r, _INF)


def _clean(lo, hi):
    """NaN end points (``inf - inf``, ``0 * inf``) become the whole line."""
    bad = np.isnan(lo) | np.isnan(hi)
    if np.any(bad):
        lo = np.where(bad, -_INF, lo)
        hi = np.where(bad, _INF, hi)
    return lo, hi


@dataclass(frozen=True)
class Interval:
    """Arrays ``lo``, ``hi`` of one shape: the box ``[lo, hi]`` (element-wise)."""

    lo: np.ndarray
    hi: np.ndarray

    @staticmethod
    def point(x) -> "Interval":
        x = np.asarray(x, dtype=float)
        return Interval(x, x)

    @staticmethod
    def of(lo, hi) -> "Interval":
        return Interval(np.asarray(lo, dtype=float), np.asarray(hi, dtype=float))

    @staticmethod
    def whole(shape) -> "Interval":
        return Interval(np.full(shape, -_INF), np.full(shape, _INF))

    @property
    def shape(self):
        return self.lo.shape

    def __getitem__(self, key) -> "Interval":
        return Interval(self.lo[key], self.hi[key])

    def mid(self):
        return 0.5 * self.lo + 0.5 * self.hi

    def width(self):
        return self.hi - self.lo

    def mag(self):
        """The largest absolute value."""
        return np.maximum(np.abs(self.lo), np.abs(self.hi))

    def contains_zero(self):
        return (self.lo <= 0) & (self.hi >= 0)

    def __neg__(self) -> "Interval":
        return Interval(-self.hi, -self.lo)

    def __add__(self, other) -> "Interval":
        o = _as_interval(other)
        return Interval(*_clean(down(self.lo + o.lo), up(self.hi + o.hi)))

    __radd__ = __add__

    def __sub__(self, other) -> "Interval":
        o = _as_interval(other)
        return Interval(*_clean(down(self.lo - o.hi), up(self.hi - o.lo)))

    def __rsub__(self, other) -> "Interval":
        return _as_interval(other) - self

    def __mul__(self, other) -> "Interval":
        o = _as_interval(other)
        with np.errstate(invalid="ignore", over="ignore"):
            a, b, c, d = self.lo * o.lo, self.lo * o.hi, self.hi * o.lo, self.hi * o.hi
            lo = np.minimum(np.minimum(a, b), np.minimum(c, d))
            hi = np.maximum(np.maximum(a, b), np.maximum(c, d))
        lo, hi = _clean(down(lo), up(hi))
        # nan from 0 * inf was cleaned to the whole line; a product with an exact 0 factor is 0
        return Interval(lo, hi)

    __rmul__ = __mul__

    def __truediv__(self, other) -> "Interval":
        o = _as_interval(other)
        safe = (o.lo > 0) | (o.hi < 0)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            a, b, c, d = self.lo / o.lo, self.lo / o.hi, self.hi / o.lo, self.hi / o.hi
            lo = np.minimum(np.minimum(a, b), np.minimum(c, d))
            hi = np.maximum(np.maximum(a, b), np.maximum(c, d))
            lo, hi = _clean(down(lo), up(hi))
        return Interval(np.where(safe, lo, -_INF), np.where(safe, hi, _INF))

    def __rtruediv__(self, other) -> "Interval":
        return _as_interval(other) / self

    def sqr(self) -> "Interval":
        """``x^2`` (0 when the interval contains 0, not the product's negative end)."""
        a, b = self.lo * self.lo, self.hi * self.hi
        lo = np.where(self.contains_zero(), 0.0, down(np.minimum(a, b)))
        return Interval(np.maximum(lo, 0.0), up(np.maximum(a, b)))

    def sqrt(self) -> "Interval":
        """Square root of the non-negative part (callers pass non-negative quantities)."""
        lo = np.maximum(self.lo, 0.0)
        hi = np.maximum(self.hi, 0.0)
        return Interval(np.maximum(down(np.sqrt(lo)), 0.0), up(np.sqrt(hi)))

    def intersect(self, other) -> "Interval":
        o = _as_interval(other)
        return Interval(np.maximum(self.lo, o.lo), np.minimum(self.hi, o.hi))

    def clip(self, lo, hi) -> "Interval":
        return Interval(np.clip(self.lo, lo, hi), np.clip(self.hi, lo, hi))

    def sum(self, axis) -> "Interval":
        """Sum along ``axis`` by repeated outward-rounded additions."""
        lo = np.moveaxis(self.lo, axis, 0)
        hi = np.moveaxis(self.hi, axis, 0)
        acc = Interval(lo[0], hi[0])
        for k in range(1, lo.shape[0]):
            acc = acc + Interval(lo[k], hi[k])
        return acc


def _as_interval(x) -> Interval:
    if isinstance(x, Interval):
        return x
    return Interval.point(x)


#: Encloses pi: the float64 nearest pi is below it (pi = 3.14159265358979323846...).
PI = Interval(np.array(np.pi), up(np.array(np.pi)))


def _atan_bound(q: np.ndarray, upper: bool) -> np.ndarray:
    """A lower (``upper=False``) or upper bound of ``atan(q)`` at float points
    ``0 <= q <= 1``, every operation rounded in the direction that keeps the bound."""
    rnd, anti = (up, down) if upper else (down, up)
    t = np.clip(q, 0.0, 1.0)
    for _ in range(_REDUCTIONS):  # atan t = 2 atan(t / (1 + sqrt(1 + t^2))), increasing in t
        den = anti(1.0 + anti(np.sqrt(anti(1.0 + anti(t * t)))))
        t = rnd(t / den)
    t = np.minimum(t, 0.1)  # t <= tan(pi/32) = 0.0985: rounding cannot pass 0.1
    t2_keep, t2_anti = rnd(t * t), anti(t * t)
    # Partial sums of the alternating series bracket its sum: ending on a positive term
    # gives an upper bound, on a negative term a lower bound (Leibniz).  Positive terms
    # are rounded in the bound's direction, negative ones against it.
    total = np.zeros_like(t)
    power_keep, power_anti = t, t
    # _ATAN_TERMS is odd: a lower bound ends on that (negative) term, an upper one on the next
    last = _ATAN_TERMS + 1 if upper else _ATAN_TERMS
    for k in range(last + 1):
        if k % 2 == 0:
            total = rnd(total + rnd(power_keep / float(2 * k + 1)))
        else:
            total = rnd(total - anti(power_anti / float(2 * k + 1)))
        power_keep = rnd(power_keep * t2_keep)
        power_anti = anti(power_anti * t2_anti)
    total = np.maximum(total, 0.0)
    return total * float(2 ** _REDUCTIONS)  # a power of two: exact


def atan(q: Interval) -> Interval:
    """``atan`` over ``q`` with ``0 <= q.lo <= q.hi <= 1`` (end points clipped to [0, 1])."""
    return Interval(_atan_bound(q.lo, upper=False), _atan_bound(q.hi, upper=True))


def atan2_nonnegative(y: Interval, x: Interval) -> Interval:
    """``atan2(y, x)`` for ``y, x >= 0`` (negative parts clipped to 0), in ``[0, pi/2]``."""
    y = y.clip(0.0, _INF)
    x = x.clip(0.0, _INF)

    def end(yv, xv, upper: bool):
        rnd, anti = (up, down) if upper else (down, up)
        small = yv <= xv
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            # y <= x: atan(y / x), rounded with the bound; else pi/2 - atan(x / y), against it
            q_small = rnd(yv / np.where(xv > 0, xv, 1.0))
            q_large = anti(xv / np.where(yv > 0, yv, 1.0))
        a_small = _atan_bound(q_small, upper)
        a_large = _atan_bound(q_large, not upper)
        half_pi = up(np.pi / 2) if upper else np.pi / 2  # float(pi/2) < pi/2
        value = np.where(small, a_small, rnd(half_pi - a_large))
        both_zero = (yv == 0) & (xv == 0)  # atan2(0, 0): the whole quarter
        return np.where(both_zero, up(np.pi / 2) if upper else 0.0, value)

    return Interval(np.maximum(end(y.lo, x.hi, False), 0.0), end(y.hi, x.lo, True))


def norms(v: Interval, axis: int = -1) -> Interval:
    """Euclidean norms along ``axis``."""
    return v.sqr().sum(axis).sqrt()


def dot(a: Interval, b: Interval, axis: int = -1) -> Interval:
    return (a * b).sum(axis)


def unit_vectors(v: Interval, axis: int = -1):
    """``(v / |v|, |v|)``; where ``|v|`` may be 0 the direction is the whole line."""
    n = norms(v, axis)
    nn = Interval(np.expand_dims(n.lo, axis), np.expand_dims(n.hi, axis))
    u = (v / nn).clip(-1.0, 1.0)
    return u, n


def angle_sin_cos(a: Interval, b: Interval, axis: int = -1):
    """``(theta, sin theta, cos theta)`` between unit vectors ``a`` and ``b`` (Kahan's form)."""
    minus = norms(a - b, axis)
    plus = norms(a + b, axis)
    theta = (atan2_nonnegative(minus, plus) * 2.0).clip(0.0, up(np.pi))
    sin = (minus * plus * 0.5).clip(0.0, 1.0)
    cos = ((plus.sqr() - minus.sqr()) * 0.25).clip(-1.0, 1.0)
    return theta, sin, cos


def outer_over_norm(v: Interval, n: Interval) -> Interval:
    """``v v^T / |v|`` (``n`` encloses ``|v|``, last axis of ``v`` the vector): bounded by
    ``|v|`` entry-wise even where ``|v|`` may be 0 (diagonal in ``[0, |v|]``)."""
    nn = Interval(n.lo[..., None, None], n.hi[..., None, None])
    outer = Interval(v.lo[..., :, None], v.hi[..., :, None]) * Interval(v.lo[..., None, :], v.hi[..., None, :])
    ratio = outer / nn
    bound = Interval(-nn.hi, nn.hi)
    ratio = ratio.intersect(bound)
    k = v.shape[-1]
    eye = np.eye(k, dtype=bool)
    lo = np.where(eye, np.maximum(ratio.lo, 0.0), ratio.lo)
    return Interval(lo, ratio.hi)
