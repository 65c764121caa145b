"""The branch and bound's loss and gradient enclosures over one box in python-flint balls:
the same formulas as :mod:`numeric.threshold_model` (effective vectors, Kahan's angle
``2 atan2(|a - b|, |a + b|)``, the bounds ``k in [2/pi, 1] |u||v|`` and
``|G(v, u)_k| <= |v|``), evaluated with arb's own rigorous ``atan2``, ``sqrt`` and ``pi``
at any precision.  Used to cross-check the float64 intervals and as their benchmark
(``benchmarks/bench_bnb.py``).
"""
from __future__ import annotations

import itertools
from fractions import Fraction

import flint
from flint import arb, fmpq

__all__ = ["ball_loss_gradient"]


def _ball(lo: float, hi: float) -> arb:
    a = arb(fmpq(*Fraction(lo).as_integer_ratio()))
    b = arb(fmpq(*Fraction(hi).as_integer_ratio()))
    return a.union(b)


def _norm(v):
    return arb.sqrt(sum((x * x for x in v), arb(0)))


def ball_loss_gradient(teacher, m: int, d: int, lo, hi, dps: int = 30):
    """``(L, [grad_u L components])`` as balls over the box ``[lo, hi]`` (length ``m d``);
    gradient components of a row whose box contains 0 are ``None``."""
    with flint.ctx.workdps(dps):
        u = [[_ball(lo[j * d + k], hi[j * d + k]) for k in range(d)] for j in range(m)]
        T = [[arb(fmpq(*Fraction(x).as_integer_ratio())) for x in row] + [arb(0)] * (d - len(row))
             for row in teacher]
        rows = u + T
        signs = [1] * m + [-1] * len(T)
        norms = [_norm(v) for v in rows]
        units = [[x / n for x in v] if n > 0 else None for v, n in zip(rows, norms)]
        pi = arb.pi()
        L = sum((n * n for n in norms[:m]), arb(0)) / 2 + sum((n * n for n in norms[m:]), arb(0)) / 2
        grad = [list(v) for v in u]
        for a, b in itertools.combinations(range(len(rows)), 2):
            if a >= m and b >= m:
                sign = 1
            else:
                sign = signs[a] * signs[b]
            prod = norms[a] * norms[b]
            if units[a] is None or units[b] is None:
                k = (2 / pi * prod).union(prod)
                theta = sin = None
            else:
                minus = _norm([x - y for x, y in zip(units[a], units[b])])
                plus = _norm([x + y for x, y in zip(units[a], units[b])])
                theta = 2 * arb.atan2(minus, plus)
                sin = minus * plus / 2
                dot = sum((x * y for x, y in zip(rows[a], rows[b])), arb(0))
                k = 2 / pi * (prod * sin + (pi / 2 - theta) * dot)
            L += sign * k
            for i, o in ((a, b), (b, a)):
                if i >= m or grad[i] is None:
                    continue
                if units[i] is None:
                    grad[i] = None
                    continue
                bound = norms[o]
                for c in range(d):
                    if theta is None:
                        g = (-bound).union(bound)
                    else:
                        g = 2 / pi * ((pi / 2 - theta) * rows[o][c] + norms[o] * sin * units[i][c])
                    grad[i][c] += sign * g
        return L, [x for row in grad for x in (row if row is not None else [None] * d)]
