"""The loss of a family as a series in ``k^(-1/2)`` (empirical): Arjevani and Field's form.

Arjevani and Field show that the critical points of Safran and Shamir's model along a
family of fixed isotropy (such as ``S_(k-1) x S_1``) are power series in ``k^(-1/2)``, and
that the loss at some types of spurious minima decays like ``k^(-1)`` while at others it
tends to a positive constant.  Here the certified losses ``L_k`` of one branch are fitted,
by linear least squares, to

    L_k = sum_j a_j k^(-j/2),   j in ``powers``

(``j = 0, 1`` are the constant and ``k^(-1/2)`` terms; ``j = 2`` the ``1/k`` one).  The
certified losses are exact to 20 digits, so the fit's error is the truncation of the
series, not noise: the uncertainty quoted for a coefficient is the spread of its value
over fits on different windows ``k >= k_min`` and with one more or one fewer term, never
a standard error.  Nothing here is a bound.

>>> ks = [8, 12, 16, 24, 32, 48, 64, 100]
>>> fit = series_fit([(k, 0.3 / k - 0.2 / k ** 1.5) for k in ks], powers=(2, 3))
>>> [round(c, 9) for c in fit.coefficients]
[0.3, -0.2]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["SeriesFit", "series_fit", "coefficient_spread"]


@dataclass(frozen=True)
class SeriesFit:
    """``L_k = sum a_j k^(-j/2)`` on ``k >= k_min``: ``powers`` (the j), ``coefficients``
    (the a_j), the number of points and the largest relative residual."""

    powers: tuple
    coefficients: tuple
    k_min: int
    points: int
    max_relative_residual: float

    def coefficient(self, power: int):
        return self.coefficients[self.powers.index(power)] if power in self.powers else None


def series_fit(points, *, powers=(0, 1, 2, 3, 4), k_min: int = 1) -> SeriesFit:
    """Least squares of ``L`` on ``k^(-j/2)``, ``j`` in ``powers``, over the points
    ``(k, L)`` with ``k >= k_min``; the rows are weighted by ``1/L`` (a relative fit: the
    losses span two decades).  Needs more points than terms."""
    chosen = [(float(k), float(L)) for k, L in points if k >= k_min]
    if len(chosen) <= len(powers):
        raise ValueError(f"{len(chosen)} points for {len(powers)} terms: need more points than terms")
    k = np.array([p[0] for p in chosen])
    L = np.array([p[1] for p in chosen])
    A = np.stack([k ** (-j / 2) for j in powers], axis=1) / L[:, None]
    coef, *_ = np.linalg.lstsq(A, np.ones_like(L), rcond=None)
    residual = np.abs(A @ coef - 1.0)
    return SeriesFit(tuple(powers), tuple(float(c) for c in coef), int(min(k)), len(chosen), float(residual.max()))


def coefficient_spread(points, power: int, *, base_powers, k_mins=(6, 10, 16)) -> dict:
    """The coefficient of ``k^(-power/2)`` over fits with ``base_powers``, with one more
    term and with one fewer (never ``power`` itself), on each window ``k >= k_min``:
    ``{"value": the base fit's on the first window, "lowest", "highest", "fits": n}``."""
    base = tuple(base_powers)
    variants = [base, base + (max(base) + 1,)]
    if len(base) > 1 and base[-1] != power:
        variants.append(base[:-1])
    values = []
    for ps in variants:
        for k_min in k_mins:
            try:
                values.append(series_fit(points, powers=ps, k_min=k_min).coefficient(power))
            except ValueError:
                continue
    values = [v for v in values if v is not None]
    if not values:
        return {"value": None, "lowest": None, "highest": None, "fits": 0}
    return {"value": values[0], "lowest": min(values), "highest": max(values), "fits": len(values)}
