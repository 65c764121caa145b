"""Scalar backends for high-precision evaluation: mpmath numbers and python-flint balls.

A field bundles what :mod:`numeric.precise` needs: elementary functions, exact
conversion of the configuration's rationals, a precision context manager, and the dense
products (Gram matrix, matrix times matrix) where a C implementation pays.

* ``MPMATH``: plain multiprecision floats; precision from ``mpmath.mp.workdps``.  Its error
  estimate is the agreement of two precisions (:mod:`numeric.precision`).
* ``ARB``: python-flint ``arb`` balls; precision from ``flint.ctx.workdps``.  Every
  result is a rigorous enclosure, so its radius is an error bound.

>>> with ARB.workdps(30):
...     x = ARB.number(Fraction(1, 3))
>>> ARB.radius(x) < 1e-29
True
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import flint
from flint import arb, arb_mat, fmpq, fmpz

__all__ = ["Field", "MPMATH", "ARB", "ARB_BOX", "field"]

_TWO_53 = 1 << 53


class Field:
    """Interface; see the two implementations below."""

    name: str

    def workdps(self, dps: int):  # pragma: no cover - interface
        raise NotImplementedError


class _MpmathField(Field):
    name = "mpmath"
    sin = staticmethod(mpmath.sin)
    cos = staticmethod(mpmath.cos)
    sqrt = staticmethod(mpmath.sqrt)
    atan2 = staticmethod(mpmath.atan2)
    exp = staticmethod(mpmath.exp)
    log = staticmethod(mpmath.log)

    def workdps(self, dps: int):
        return mpmath.workdps(dps)

    @staticmethod
    def q(p: int, q: int):
        return mpmath.mpf(p) / q

    @staticmethod
    def pi():
        return +mpmath.pi

    @staticmethod
    def number(x: Fraction):
        return mpmath.mpf(x.numerator) / x.denominator

    zero = staticmethod(lambda: mpmath.mpf(0))

    @staticmethod
    def norm(row):
        return mpmath.sqrt(mpmath.fsum(x * x for x in row))

    @staticmethod
    def mid(x) -> float:
        return float(x)

    @staticmethod
    def radius(x) -> float:
        return 0.0

    @staticmethod
    def gram(rows):
        n = len(rows)
        out = [[None] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                out[i][j] = out[j][i] = mpmath.fdot(rows[i], rows[j])
        return out

    @staticmethod
    def matmul(A, B):
        cols = list(zip(*B))
        return [[mpmath.fdot(row, col) for col in cols] for row in A]

    @staticmethod
    def dot(xs, ys):
        return mpmath.fdot(xs, ys)

    @staticmethod
    def integer(z):
        return mpmath.mpf(int(z))

    @staticmethod
    def integers(M):
        """The entries of an ``fmpz_mat`` as rows of numbers."""
        return [[mpmath.mpf(int(M[i, j])) for j in range(M.ncols())] for i in range(M.nrows())]


class _ArbField(Field):
    name = "arb"
    sin = staticmethod(arb.sin)
    cos = staticmethod(arb.cos)
    sqrt = staticmethod(arb.sqrt)
    atan2 = staticmethod(arb.atan2)
    exp = staticmethod(arb.exp)
    log = staticmethod(arb.log)

    def workdps(self, dps: int):
        return flint.ctx.workdps(dps)

    @staticmethod
    def q(p: int, q: int):
        return arb(fmpq(p, q))

    @staticmethod
    def pi():
        return arb.pi()

    @staticmethod
    def number(x: Fraction):
        p, q = x.numerator, x.denominator
        if q & (q - 1) == 0 and -_TWO_53 < p < _TWO_53 and q.bit_length() <= 1000:
            return arb(p / q)  # a normal float64: p / q is exact, and so is the ball
        return arb(fmpq(p, q))

    zero = staticmethod(lambda: arb(0))

    @staticmethod
    def norm(row):
        # A ball around 0 squares to a ball that dips below 0; the norm is >= 0 anyway.
        return arb.sqrt(sum((x * x for x in row), arb(0)).nonnegative_part())

    @staticmethod
    def mid(x) -> float:
        return float(x)  # the midpoint, rounded to nearest

    @staticmethod
    def radius(x) -> float:
        return float(x.rad())

    @staticmethod
    def gram(rows):
        M = arb_mat(rows)
        return _rows_of(M * M.transpose())

    @staticmethod
    def matmul(A, B):
        return _rows_of(arb_mat(A) * arb_mat(B))

    @staticmethod
    def integer(z):
        return arb(fmpz(z))

    @staticmethod
    def integers(M):
        """The entries of an ``fmpz_mat`` as rows of balls (converted in C)."""
        return _rows_of(arb_mat(M))

    @staticmethod
    def dot(xs, ys):
        # A Python sum: building two arb_mat for one dot product costs more than it saves.
        return sum((x * y for x, y in zip(xs, ys)), arb(0))


def _rows_of(M):
    """The entries of an ``arb_mat`` as a list of rows (one C call for all entries)."""
    flat, c = M.entries(), M.ncols()
    return [flat[i * c:(i + 1) * c] for i in range(M.nrows())]


class _ArbBoxField(_ArbField):
    """python-flint balls whose inputs may already be balls (a box of rows): every result
    encloses the value at every point of the box."""

    @staticmethod
    def number(x):
        return x if isinstance(x, arb) else ARB.number(x)


MPMATH = _MpmathField()
ARB = _ArbField()
#: :data:`ARB` on inputs that may already be balls (a box of rows); name ``"arb"``.
ARB_BOX = _ArbBoxField()


def field(name: str) -> Field:
    """The backend called ``name`` (``"arb"`` or ``"mpmath"``)."""
    for f in (ARB, MPMATH):
        if f.name == name:
            return f
    raise ValueError(f"backend = {name!r} is not one of ('arb', 'mpmath')")
