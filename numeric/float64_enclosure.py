"""Loss and gradient in float64 with a rigorous forward error bound, as balls.

:func:`loss_gradient_enclosure` returns an :class:`numeric.evaluation.Evaluation` whose
entries are python-flint balls ``[float64 value +- bound]`` (engine ``"float64-screen"``).
:func:`numeric.precise.evaluate` returns it when asked for the enclosure
``"float64-screen"``; :mod:`numeric.filtered` decides with it first and escalates to balls
when it cannot settle a question.

The bound is a running error analysis (Higham, *Accuracy and Stability of Numerical
Algorithms*, 2nd ed., Sec. 3.1-3.3), carried operation by operation on whole arrays by
:class:`Bounded`: every value ``v`` comes with ``e`` such that ``|v - exact| <= e``, where
*exact* is the same formula in exact arithmetic on the configuration's exact rationals.

* Rounding to nearest: ``|fl(s) - s| <= u |s| <= 2u |fl(s)|`` with ``u = 2^-53``, plus
  ``eta = 2^-1074`` for gradual underflow, in every operation (samplers do produce entries
  like ``1e-300``).  Inputs above ``2^400``, or nonzero but below the subnormals, make the
  screen decline; so does a nonzero row whose squares all underflow to 0 (every entry below
  about ``1e-162``: its computed norm would be 0), and a bound that overflows.
* Dot products and matrix products of length ``n`` in any order, with or without FMA:
  ``|fl(a.b) - a.b| <= gamma_n |a|.|b|``, ``gamma_n = n u / (1 - n u)`` (Higham Thm 3.5; it
  holds for conventional products in any summation order, which is what OpenBLAS and numpy's
  loops compute, not for Strassen-type algorithms);
  propagated input errors ``|a||e_b| + |e_a||b| + |e_a||e_b|``, each an extra product of
  non-negative matrices.
* Euclidean norms are 1-Lipschitz: ``| |x| - |x_hat| | <= |x - x_hat| <= sum_k e_k``, so the
  norm of a difference of nearly equal unit vectors (aligned neurons) has an *absolute*
  error of a few ``u``, with no square root of an uncertain 0.
* Angles: ``theta = atan2(sin, cos)`` for ``|cos| < 0.9``, Kahan's
  ``2 atan2(|u - v|, |u + v|)`` elsewhere (never ``acos``; aligned and antipodal pairs keep
  an absolute angle error of a few ``u``).  ``atan2`` is ``1/rho``-Lipschitz away from the
  origin and continuous on the closed upper half-plane, where both the exact and the computed
  arguments lie (``sin >= 0``), so the propagated error is ``(e_x + e_y) / rho_min``.  The
  libm's own error is taken as at most ``2^-48 |theta| + 2^-1074`` (glibc and numpy's SIMD
  ``arctan2`` are documented within a few ulp; ``tests/test_filtered.py`` checks the
  assumption against balls).
* The error bounds are themselves computed in float64: every bound is a sum and product of
  at most a few dozen non-negative terms per step, each rounded with relative error ``u``,
  so multiplying it by ``1 + 2^-40`` (or ``1 + 2 gamma_n`` after a product of length
  ``n``) makes it an upper bound of its exact value.  A bound that overflows or is NaN
  declines the screen.

>>> from numeric.config import Configuration
>>> c = Configuration.from_dict({"teacher": [[1, 0]], "student": [["0.5", 0]]})
>>> e = loss_gradient_enclosure(c)
>>> e.loss.contains(__import__("flint").arb("0.28125")), float(e.loss.rad()) < 1e-14
(True, True)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from flint import arb

from numeric import pair_kernels
from numeric.config import Configuration
from numeric.evaluation import Evaluation
from numeric.pairwise import angular_factor

__all__ = [
    "Bounded",
    "loss_gradient_enclosure",
    "LIBM_RELATIVE_ERROR",
    "U",
    "ETA",
]

U = 2.0**-53  # unit roundoff of float64, round to nearest
ETA = 2.0**-1074  # smallest subnormal: the absolute error of a gradual underflow
#: Per elementwise step: the value's and the bound's own underflows (at most a few each).
_ETA_STEP = 8 * ETA
#: Assumed bound on the relative error of numpy's ``arctan2`` (a few ulp are documented;
#: this is 2^5 ulp; 1.5 ulp was the largest error measured on 25000 arguments).  Checked against balls in the tests.
LIBM_RELATIVE_ERROR = 2.0**-48
_INFLATE = 1.0 + 2.0**-40  # covers the rounding of a bound computed with < 2^12 operations
_DEFLATE = 1.0 - 2.0**-40
#: Inputs outside this range (nonzero magnitudes) are left to the balls.
#: Inputs beyond this magnitude are left to the balls (their products would overflow).
_LARGEST = 2.0**400
_COS_SWITCH = 0.9


def _gamma(n: int) -> float:
    return n * U / (1 - n * U)


class Bounded:
    """A float64 array ``v`` with a bound ``e`` (same shape, broadcastable) on
    ``|v - exact|``.  Operators ``+ - * /`` with another :class:`Bounded` or with a Python
    int (exact, ``|k| < 2^53``) or float taken as exact.

    >>> x = Bounded(np.array([0.1]), np.array([1e-17]))
    >>> y = x * x + 1
    >>> bool(abs(y.v[0] - 1.01) <= y.e[0])
    True
    """

    __slots__ = ("v", "e")
    __array_priority__ = 100  # numpy defers to our reflected operators

    def __init__(self, v, e):
        self.v = np.asarray(v, dtype=float)
        self.e = np.asarray(e, dtype=float)

    @staticmethod
    def exact(v) -> "Bounded":
        return Bounded(v, 0.0)  # the bound broadcasts

    @staticmethod
    def zeros(shape) -> "Bounded":
        """Exact zeros with a full (writable) bound array."""
        return Bounded(np.zeros(shape), np.zeros(shape))

    def bound(self) -> np.ndarray:
        """The bound at the value's shape."""
        return self.e if self.e.shape == self.v.shape else np.broadcast_to(self.e, self.v.shape)

    @staticmethod
    def lift(x) -> "Bounded":
        if isinstance(x, Bounded):
            return x
        if isinstance(x, np.ndarray):
            return Bounded.exact(x)
        if isinstance(x, int) and abs(x) >= 2**53:
            raise ValueError(f"integer {x} is not exact in float64")
        return Bounded.exact(float(x))

    def __getitem__(self, index) -> "Bounded":
        return Bounded(self.v[index], self.bound()[index])

    @property
    def T(self) -> "Bounded":
        return Bounded(self.v.T, self.bound().T)

    def __neg__(self):
        return Bounded(-self.v, self.e)

    def __add__(self, other):
        o = Bounded.lift(other)
        v = self.v + o.v
        return Bounded(v, (self.e + o.e + 2 * U * np.abs(v) + _ETA_STEP) * _INFLATE)

    __radd__ = __add__

    def __sub__(self, other):
        o = Bounded.lift(other)
        v = self.v - o.v
        return Bounded(v, (self.e + o.e + 2 * U * np.abs(v) + _ETA_STEP) * _INFLATE)

    def __rsub__(self, other):
        return Bounded.lift(other) - self

    def __mul__(self, other):
        o = Bounded.lift(other)
        v = self.v * o.v
        e = np.abs(self.v) * o.e + np.abs(o.v) * self.e + self.e * o.e + 2 * U * np.abs(v) + _ETA_STEP
        return Bounded(v, e * _INFLATE)

    __rmul__ = __mul__

    def __truediv__(self, other):
        o = Bounded.lift(other)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            v = self.v / o.v  # a divisor whose ball holds 0 gets an infinite bound below
        # |x/y - x^/y^| <= (e_x |y^| + |x^| e_y) / (|y^| (|y^| - e_y)), when e_y < |y^|.
        margin = (np.abs(o.v) - o.e) * _DEFLATE
        num = (self.e * np.abs(o.v) + np.abs(self.v) * o.e) * _INFLATE
        with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
            # two divisions, not num / (|y^| margin): that product may underflow
            prop = np.where(margin > 0, num / np.abs(o.v) / margin * _INFLATE + 2 * ETA, np.inf)
        return Bounded(v, (prop + 2 * U * np.abs(v) + _ETA_STEP) * _INFLATE)

    def __rtruediv__(self, other):
        return Bounded.lift(other) / self


def _sqrt(x: Bounded) -> Bounded:
    """``sqrt`` of a quantity whose exact value is >= 0: ``|sqrt x - sqrt x^| <=
    min(sqrt e, e / sqrt x^)``."""
    xv = np.maximum(x.v, 0.0)  # the exact value is >= 0: clamping only moves closer
    v = np.sqrt(xv)
    with np.errstate(divide="ignore", invalid="ignore"):
        prop = np.minimum(np.sqrt(x.e) * _INFLATE, np.where(v > 0, x.e / v * _INFLATE, np.inf))
    return Bounded(v, (prop + 2 * U * v + _ETA_STEP) * _INFLATE)


def _atan2(y: Bounded, x: Bounded) -> Bounded:
    """``atan2(y, x)`` for an exact ``y >= 0`` (see the module note)."""
    yv = np.maximum(y.v, 0.0)
    v = np.arctan2(yv, x.v)
    shift = (y.e + x.e) * _INFLATE
    rho_min = (np.hypot(yv, x.v) * _DEFLATE - shift - 2 * ETA) * _DEFLATE
    with np.errstate(divide="ignore", invalid="ignore"):
        prop = np.where(rho_min > 0, shift / rho_min, np.inf)
    return Bounded(v, (prop + LIBM_RELATIVE_ERROR * np.abs(v) + _ETA_STEP) * _INFLATE)


def _matmul(a: Bounded, b: Bounded) -> Bounded:
    """``a @ b`` with Higham's bound for the products and the propagated input errors."""
    n = a.v.shape[-1]
    g = _gamma(n)
    v = a.v @ b.v
    abs_a, abs_b = np.abs(a.v), np.abs(b.v)
    ea, eb = a.bound(), b.bound()
    # gamma_n |a||b| (rounding) + |a| e_b + e_a (|b| + e_b) (propagation), each product
    # of non-negative matrices computed with relative error <= gamma_n.
    e = g * (abs_a @ abs_b) + abs_a @ eb + ea @ (abs_b + eb)
    return Bounded(v, (e * (1 + 2 * g) + 4 * n * ETA + _ETA_STEP) * _INFLATE)


def _row_dot(a: Bounded, b: Bounded) -> Bounded:
    """``sum_k a[i, k] b[i, k]`` per row, as a matrix product of length d per row."""
    d = a.v.shape[-1]
    g = _gamma(d)
    v = np.einsum("ik,ik->i", a.v, b.v)
    abs_a, abs_b = np.abs(a.v), np.abs(b.v)
    ea, eb = a.bound(), b.bound()
    e = np.einsum("ik,ik->i", g * abs_a + ea, abs_b + eb) + np.einsum("ik,ik->i", abs_a, eb)
    return Bounded(v, (e * (1 + 2 * g) + 4 * d * ETA + _ETA_STEP) * _INFLATE)


def _row_norms(a: Bounded) -> Bounded:
    """Euclidean norms of the rows: 1-Lipschitz, so the propagated error is ``sum_k e_k``;
    computing ``sqrt(sum x^2)`` adds ``(gamma_d / 2 + 2u)`` relative, and squares that
    underflow at most ``sqrt(d eta)`` absolute."""
    d = a.v.shape[-1]
    v = np.sqrt(np.einsum("ik,ik->i", a.v, a.v))
    prop = a.bound().sum(axis=-1)
    with np.errstate(divide="ignore"):
        underflow = np.minimum(math.sqrt(d * ETA), np.where(v > 0, d * ETA / v, np.inf)) + _ETA_STEP
    return Bounded(v, (prop * (1 + 2 * _gamma(d)) + (_gamma(d) + 4 * U) * v + underflow) * _INFLATE)


class _BoundedField:
    """The operations the generated pair code asks of a field, on :class:`Bounded`."""

    name = "float64-bounded"

    @staticmethod
    def q(p: int, q: int) -> Bounded:
        return Bounded.lift(p) / Bounded.lift(q)


_PI = Bounded(np.array(math.pi), np.array(2 * U * math.pi))


def _float_rows(rows) -> np.ndarray | None:
    """The rows as float64 (each entry correctly rounded), or None when an entry lies outside
    the range the bound assumes."""
    try:
        # numerator / denominator: Python's correctly rounded integer division
        arr = np.array([[x.numerator / x.denominator for x in row] for row in rows], dtype=float)
    except OverflowError:
        return None
    if (np.abs(arr) > _LARGEST).any():
        return None  # products would overflow
    for i, k in zip(*np.nonzero(arr == 0)):
        if rows[i][k] != 0:
            return None  # a nonzero rational below the subnormals
    if ((np.einsum("ik,ik->i", arr, arr) == 0) & np.any(arr != 0, axis=1)).any():
        return None  # a nonzero row whose squares all underflow to 0: its norm would be 0
    return arr


def _put(target: Bounded, where, value: Bounded) -> None:
    target.v[where] = value.v
    target.e[where] = value.bound()


def _angles(units: Bounded):
    """``(theta, sin)`` as :class:`Bounded` ``n x n`` arrays (diagonal exactly 0), and the
    Gram cosines."""
    n = units.v.shape[0]
    cos = _matmul(units, units.T)
    far = np.abs(cos.v) < _COS_SWITCH
    np.fill_diagonal(far, False)
    theta = Bounded.zeros((n, n))
    sin = Bounded.zeros((n, n))
    if far.any():
        c = cos[far]
        s = _sqrt(1 - c * c)
        t = _atan2(s, c)
        _put(theta, far, t)
        _put(sin, far, s)
    near = ~far
    np.fill_diagonal(near, False)
    if near.any():
        i, j = np.nonzero(near)
        diff = _row_norms(units[i] - units[j])
        plus = _row_norms(units[i] + units[j])
        t = 2 * _atan2(diff, plus)
        s = diff * plus * 0.5
        _put(theta, near, t)
        _put(sin, near, s)
    return theta, sin


@dataclass(frozen=True)
class _Enclosure:
    loss: Bounded
    gradient: Bounded | None  # m x d, zero rows for zero students


def _bounded_loss_gradient(config: Configuration) -> _Enclosure | None:
    students = _float_rows(config.student)
    teachers = _float_rows(config.teacher)
    if students is None or teachers is None:
        return None
    m, d = students.shape
    keep_s = np.any(students != 0, axis=1)  # exact: a float is 0 iff the rational is
    keep_t = np.any(teachers != 0, axis=1)
    rows_v = np.vstack([students[keep_s], teachers[keep_t]])
    ms = int(keep_s.sum())
    n = len(rows_v)
    if n == 0:
        zero = Bounded.exact(0.0)
        return _Enclosure(zero, Bounded.zeros((m, d)))
    rows = Bounded(rows_v, 2 * U * np.abs(rows_v) + ETA)  # the correctly rounded inputs
    row_norm = _row_norms(rows)
    units = rows / row_norm[:, None]
    sign = np.ones(n)
    sign[ms:] = -1.0
    w_norm = row_norm[:ms]
    z_norm = Bounded(np.concatenate([(w_norm * w_norm).v, row_norm.v[ms:]]),
                     np.concatenate([(w_norm * w_norm).e, row_norm.e[ms:]]))
    x = z_norm * sign  # x_a = c_a |z_a|, exact sign flip
    theta, sin = _angles(units)
    phi_u, phi_v = getattr(pair_kernels, f"{config.activation}_gradient_angular")(_PI, _BoundedField)
    if phi_u[3] is not None or phi_v[3] is not None:
        return None  # a cos(theta) term: not assembled here (abs and relu have none)
    Phi_u = angular_factor(phi_u, (theta, sin))
    Phi_v = angular_factor(phi_v, (theta, sin))
    cz = x[:, None] * units  # c_a z_a
    # y_a = sum_b c_b grad_u k(z_a, z_b) = (sum_b phi_u[a, b] x_b) u_hat_a + sum_b phi_v[a, b] c_b z_b
    y = _matmul(Phi_u, x[:, None]) * units + _matmul(Phi_v, cz)
    flat = lambda b: Bounded(b.v.reshape(1, -1), b.bound().reshape(1, -1))
    loss = _matmul(flat(cz), flat(y).T)[0, 0] * 0.5  # Euler: L = 1/2 sum_a c_a z_a . y_a
    ys = y[:ms]
    if config.activation == "relu":
        linear = _matmul(x[None, :], units)  # sum_a c_a z_a
        loss = loss - _matmul(linear, linear.T)[0, 0] * 0.125
        ys = ys - linear * 0.25
    u_s = units[:ms]
    along = _row_dot(u_s, ys)
    grad_s = w_norm[:, None] * (ys + along[:, None] * u_s)
    grad = Bounded.zeros((m, d))
    _put(grad, keep_s, grad_s)
    return _Enclosure(loss, grad)


def _ball(v: float, e: float):
    return arb(float(v), float(e))


def loss_gradient_enclosure(config: Configuration, dps: int = 50, *, gradient: bool = True):
    """Loss (and gradient) of ``config`` as an :class:`numeric.evaluation.Evaluation` of balls
    ``[float64 value +- rigorous bound]``, or ``None`` when the screen declines (an input
    above ``2^400`` or below the subnormals, a nonzero row whose squares underflow to 0, a
    bound that is not finite).  ``dps`` is recorded as the
    evaluation's precision: arithmetic on the balls then runs at the caller's precision."""
    with np.errstate(over="ignore", invalid="ignore", under="ignore", divide="ignore"):
        enc = _bounded_loss_gradient(config)
    if enc is None:
        return None
    values = [np.asarray(enc.loss.v), np.asarray(enc.loss.e)]
    if gradient:
        values += [enc.gradient.v, enc.gradient.bound()]
    if not all(np.isfinite(a).all() for a in values):
        return None
    loss = _ball(enc.loss.v, enc.loss.e)
    grad = None
    if gradient:
        ge = enc.gradient.bound()
        grad = tuple(tuple(_ball(v, e) for v, e in zip(rv, re)) for rv, re in zip(enc.gradient.v, ge))
    return Evaluation(loss, grad, None, dps, "arb", "float64-screen")
