"""Exponent fits: ``y ~ C x^a`` as the scale ``x -> 0``, with an interval whose method is
declared with the claim before any data (:class:`FitSettings`).  The fits measure;
:mod:`proofs_check.judgement` decides (``decide_shape``, ``decide_trend``).

The exponent of a quantity ``y ~ C x^a`` as the scale ``x -> 0`` is fitted by
:func:`fit_exponent` with one of two declared methods (``FitSettings.method``):

* ``"secant"`` for deterministic ladders (exact families, minimisers of a declared
  optimisation): the interval is the range of the local exponents
  ``log(y_{k+1}/y_k) / log(x_{k+1}/x_k)`` over the smallest ``window`` scales.  It is a
  description of the data, not a probability statement: "the local exponent lies in
  [lo, hi] at every step of the ladder over x in [x_lo, x_hi]".
* ``"bootstrap"`` for random samples: a two-stage bootstrap (levels drawn with replacement,
  then the samples within each drawn level), the worst sample of each level refitted, and the
  2.5% and 97.5% quantiles of the refitted slopes (``numpy.quantile``).  The worst sample of a
  level is an extreme value, not independent noise; resampling whole levels carries the
  scatter of the worst cases about the line into the interval.

>>> fit = fit_exponent([10.0**-k for k in range(1, 9)], [2 * 10.0**(-3 * k) for k in range(1, 9)])
>>> round(fit.slope, 9), fit.method, fit.interval == (fit.interval[0], fit.interval[1])
(3.0, 'secant', True)
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import mpmath
import numpy as np
from flint import arb

__all__ = ["FitSettings", "ExponentFit", "loglog_slope", "fit_exponent"]


@dataclass(frozen=True)
class FitSettings:
    """How an exponent is fitted and judged; declared with the claim, before any data.

    ``resolution``: the smallest exponent difference the fit is asked to resolve.  Two-sided
    (``Theta``) claims are ``consistent`` only when the whole interval lies within
    ``resolution`` of the paper's exponent, and ``contradicted`` when it lies wholly outside.
    ``window``: the secant method uses the ``window`` smallest scales (``None``: all).
    ``binding``: which observation of a level is fitted: the one with the ``"smallest"`` or the
    ``"largest"`` ratio ``lhs/rhs`` (``"auto"``: smallest for ``>=`` and ``Theta``, largest for
    ``<=``).
    ``attained``: the claim's exponent is attained (registered by a ``Theta`` twin), so the
    interval of a one-sided claim touches it and which side its end falls on is noise: such a
    claim is ``consistent`` only when the interval clears the exponent by ``resolution``
    (else ``inconclusive``), so that the verdict does not depend on the seed.
    """

    method: str = "bootstrap"
    resolution: float = 0.02
    window: int | None = None
    replicates: int = 2000
    seed: int = 0
    binding: str = "auto"
    attained: bool = False

    def __post_init__(self):
        if self.method not in ("secant", "bootstrap"):
            raise ValueError(f"FitSettings.method = {self.method!r} must be 'secant' or 'bootstrap'")
        if not self.resolution > 0:
            raise ValueError(f"FitSettings.resolution = {self.resolution!r} must be positive")
        if self.binding not in ("auto", "smallest", "largest"):
            raise ValueError(f"FitSettings.binding = {self.binding!r} must be 'auto', 'smallest' or 'largest'")
        if self.window is not None and self.window < 2:
            raise ValueError(f"FitSettings.window = {self.window!r} must be at least 2")


@dataclass(frozen=True)
class ExponentFit:
    """A fitted exponent: least-squares ``slope``, the ``interval`` of the stated ``method``,
    the scale range the fit covers and the number of levels it used."""

    slope: float
    interval: tuple
    method: str
    scale_range: tuple
    levels: int
    intercept: float = 0.0
    description: str = ""

    def to_json(self) -> dict:
        return {"slope": f"{self.slope:.6f}", "interval": [f"{x:.6f}" for x in self.interval],
                "method": self.method, "description": self.description,
                "scale_range": [f"{x:.6g}" for x in self.scale_range], "levels": self.levels}


def _log(x) -> float:
    """``log`` of a positive number given as an arb ball, mpf, Fraction or float (exact
    enough for a fit: the value's midpoint; never below float64's range)."""
    if isinstance(x, arb):
        x = mpmath.mpf(x.mid().str(30, radius=False))
    elif isinstance(x, Fraction):
        x = mpmath.mpf(x.numerator) / x.denominator
    return float(mpmath.log(mpmath.mpf(x)))


def loglog_slope(scales: Sequence, values: Sequence) -> tuple | None:
    """The least-squares ``(slope, intercept)`` of ``log value`` on ``log scale`` (positive
    points only); ``None`` with fewer than two distinct scales.  The one log-log fit.

    >>> s = [10.0**-k for k in range(1, 7)]
    >>> [round(v, 9) for v in loglog_slope(s, [3 * x**1.5 for x in s])]
    [1.5, 1.098612289]
    """
    pts = [(_log(s), _log(v)) for s, v in zip(scales, values) if _positive(s) and _positive(v)]
    if len({x for x, _ in pts}) < 2:
        return None
    x = np.array([p[0] for p in pts])
    y = np.array([p[1] for p in pts])
    slope, intercept = np.polyfit(x, y, 1)
    return float(slope), float(intercept)


def _positive(v) -> bool:
    if isinstance(v, arb):
        return bool(v.mid() > 0)
    return v > 0


def fit_exponent(scales: Sequence, values: Sequence, settings: FitSettings | None = None, *,
                 groups: Sequence | None = None, rank: Sequence | None = None) -> ExponentFit | None:
    """Fit ``values ~ C scales^a`` (see the module docstring for the two methods).

    ``groups`` labels each point's level (default: every point is its own level); the fit is
    on the most binding point of each level, the one with the smallest ``rank`` (default: the
    smallest value, the binding case of a lower bound; pass ``-ratio`` for an upper bound).
    Returns ``None`` with fewer than 3 levels at distinct scales.
    """
    settings = settings or FitSettings(method="secant")
    labels = list(groups) if groups is not None else list(range(len(scales)))
    ranks = list(rank) if rank is not None else [None] * len(scales)
    levels: dict = {}
    for s, v, g, k in zip(scales, values, labels, ranks):
        if not (_positive(s) and _positive(v)):
            continue
        ly = _log(v)
        levels.setdefault(g, []).append((_log(s), ly, ly if k is None else float(k)))
    if len(levels) < 3:
        return None

    def worst_points(chosen):
        return [min(pts, key=lambda p: p[2]) for pts in chosen]

    base = worst_points(levels.values())
    if len({p[0] for p in base}) < 3:
        return None
    base.sort(key=lambda p: -p[0])  # largest scale first, towards 0
    if settings.method == "secant" and settings.window is not None:
        base = base[-settings.window:]
    xs = np.array([p[0] for p in base])
    ys = np.array([p[1] for p in base])
    slope, intercept = np.polyfit(xs, ys, 1)
    scale_range = (math.exp(xs.min()), math.exp(xs.max()))
    if settings.method == "secant":
        local = [(ys[k + 1] - ys[k]) / (xs[k + 1] - xs[k]) for k in range(len(xs) - 1)
                 if xs[k + 1] != xs[k]]
        interval = (float(min(local)), float(max(local)))
        description = (f"range of the {len(local)} local exponents between consecutive scales "
                       f"(deterministic ladder; a description, not a confidence interval)")
        return ExponentFit(float(slope), interval, "secant", scale_range, len(base), float(intercept),
                           description)
    rng = np.random.default_rng(settings.seed)
    level_list = list(levels.values())
    slopes = []
    for _ in range(settings.replicates):
        chosen = [level_list[i] for i in rng.integers(len(level_list), size=len(level_list))]
        resampled = [[pts[i] for i in rng.integers(len(pts), size=len(pts))] for pts in chosen]
        pts = worst_points(resampled)
        x = np.array([p[0] for p in pts])
        if np.ptp(x) == 0 or len(set(x.tolist())) < 3:
            continue
        slopes.append(np.polyfit(x, np.array([p[1] for p in pts]), 1)[0])
    if len(slopes) < settings.replicates // 2:
        return None
    lo, hi = np.quantile(np.array(slopes), [0.025, 0.975])
    description = (f"two-stage bootstrap (levels with replacement, then samples within levels), "
                   f"{len(slopes)} replicates, 2.5%-97.5% quantiles of the worst-case slope, seed {settings.seed}")
    return ExponentFit(float(slope), (float(min(lo, slope)), float(max(hi, slope))), "bootstrap",
                       scale_range, len(base), float(intercept), description)
