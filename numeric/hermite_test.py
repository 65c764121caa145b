"""Lemma C.6's Hermite test function ``h``, with the normalised Hermite coefficients of
``|z|`` (Lemma C.11) it is built from, at any precision (mpmath).

>>> hermite_test_degree("0.1", 1)
36
"""
from __future__ import annotations

import mpmath

__all__ = ["hermite_coefficient_abs", "hermite_test_degree", "hermite_test_norm"]


def hermite_coefficient_abs(l: int, dps: int = 30):
    """``hat sigma_l``, the normalised Hermite coefficient of ``|z|`` (Lemma C.11), even ``l >= 4``:
    ``(-1)^{l/2-1} sqrt(2/(pi l!)) (l-3)!!``, via log-gamma so that large ``l`` is fine.

    >>> import mpmath
    >>> [mpmath.nstr(hermite_coefficient_abs(l), 6) for l in (4, 6, 8, 10)]
    ['-0.162868', '0.0892062', '-0.0596034', '0.0439793']
    """
    if l < 4 or l % 2:
        raise ValueError(f"l = {l} must be even and >= 4")
    with mpmath.workdps(dps):
        n = l - 3  # odd: n!! = 2^{(n+1)/2} Gamma(n/2 + 1) / sqrt(pi)
        log_dfact = (n + 1) / 2 * mpmath.log(2) + mpmath.loggamma(mpmath.mpf(n) / 2 + 1) - mpmath.log(mpmath.pi) / 2
        log_abs = (mpmath.log(2) - mpmath.log(mpmath.pi) - mpmath.loggamma(l + 1)) / 2 + log_dfact
        return (-1) ** (l // 2 - 1) * mpmath.exp(log_abs)


def hermite_test_degree(eps, Delta) -> int:
    """``l = 2 max(ceil(log_{1/cos(Delta/2)}(1/eps)), 1)`` (Lemma C.6)."""
    with mpmath.workdps(30):
        return 2 * max(int(mpmath.ceil(mpmath.log(1 / mpmath.mpf(eps)) / mpmath.log(1 / mpmath.cos(mpmath.mpf(Delta) / 2)))), 1)


def hermite_test_norm(teacher, eps, Delta, dps: int = 30):
    """``||h||`` for Lemma C.6's ``h(x) = sqrt(pi/2) - sum_k h_l(wbar*_k.x) / hat sigma_l``.

    Exactly (Claim C.1: ``E[h_l(a.x) h_l(b.x)] = <a,b>^l``; ``E h_l = 0``):
    ``||h||^2 = pi/2 + hat sigma_l^{-2} sum_{k,j} <wbar*_k, wbar*_j>^l``.  Returns ``(||h||, l)``.
    The diagonal alone gives ``r / hat sigma_l^2 = Theta(r l^{3/2})``.
    """
    l = hermite_test_degree(eps, Delta)
    with mpmath.workdps(dps):
        sigma = hermite_coefficient_abs(max(l, 4), dps)
        units = []
        for row in teacher:
            row = [mpmath.mpf(x) for x in row]
            n = mpmath.sqrt(mpmath.fsum(x * x for x in row))
            units.append([x / n for x in row])
        s = mpmath.fsum(mpmath.fdot(a, b) ** l for a in units for b in units)
        return mpmath.sqrt(mpmath.pi / 2 + s / sigma ** 2), l
