"""Judgement: how a verdict is decided, in one public module.

Two kinds of result, never mixed:

* **certified**: decided by rigorous enclosures (python-flint balls, ``acb.integral``,
  subdivision of a region).  Statuses ``certified`` (every checked instance is proved) and
  ``refuted`` (one instance is proved false).  A ball that contains 0 decides nothing.
* **empirical**: a fit or a trend over samples, with an uncertainty interval whose method is
  stated.  Statuses ``consistent`` and ``contradicted``.

Either kind may end ``inconclusive``.  Three deciders cover every claim:

* :func:`decide_margins` (certified): margins as balls, one per checked instance;
* :func:`decide_shape` (empirical): a fitted exponent against the paper's;
* :func:`decide_trend` (empirical): "no growth" of a quantity along a parameter (e.g. a rate
  constant against the width ``m``).

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
>>> round(fit.slope, 9), fit.method
(3.0, 'secant')
>>> decide_shape(fit, 3, "Theta", resolution=0.01).status
'consistent'
>>> decide_shape(fit, 3.02, "Theta", resolution=0.01).status
'contradicted'
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import mpmath
import numpy as np
from flint import arb

__all__ = [
    "STATUSES",
    "KINDS",
    "ACCEPTED",
    "REJECTED",
    "kind_of",
    "Decision",
    "FitSettings",
    "ExponentFit",
    "loglog_slope",
    "fit_exponent",
    "decide_margins",
    "decide_shape",
    "decide_trend",
    "combine",
]

STATUSES = ("certified", "refuted", "consistent", "contradicted", "inconclusive")
KINDS = ("certified", "empirical")
ACCEPTED = ("certified", "consistent")
REJECTED = ("refuted", "contradicted")
_KIND = {"certified": "certified", "refuted": "certified",
         "consistent": "empirical", "contradicted": "empirical"}


def kind_of(status: str, default: str = "empirical") -> str:
    """The kind a status belongs to (``inconclusive`` takes ``default``).

    >>> kind_of("refuted"), kind_of("consistent"), kind_of("inconclusive", "certified")
    ('certified', 'empirical', 'certified')
    """
    if status not in STATUSES:
        raise ValueError(f"status = {status!r} is not one of {STATUSES}")
    return _KIND.get(status, default)


@dataclass(frozen=True)
class Decision:
    """A status with its kind, the deciding margin (>= 0 means the claim's side), its error,
    the index of the binding instance (for margins) and a sentence saying what was shown."""

    status: str
    kind: str
    margin: Any = None
    error: Any = None
    worst_index: int | None = None
    statement: str = ""

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status = {self.status!r} is not one of {STATUSES}")
        if self.kind not in KINDS:
            raise ValueError(f"kind = {self.kind!r} is not one of {KINDS}")
        if self.status != "inconclusive" and kind_of(self.status) != self.kind:
            raise ValueError(f"status {self.status!r} is not of kind {self.kind!r}")


# -- certified: margins on balls ---------------------------------------------------------

def _lower(x) -> float:
    """The ball's lower end as a float (for ordering only; decisions use the balls)."""
    x = x if isinstance(x, arb) else arb(x)
    return float(x.lower())


def decide_margins(margins: Sequence) -> Decision:
    """Certified decision over instance margins (arb balls; ``>= 0`` is the claim's side).

    ``refuted`` as soon as one margin is certainly negative (that instance is a proof that the
    statement fails), ``certified`` when every margin is certainly positive, otherwise
    ``inconclusive``.  The reported margin is the ball with the smallest lower end.

    >>> decide_margins([arb(1), arb("0.5")]).status
    'certified'
    >>> d = decide_margins([arb(1), arb(-1), arb(0, 1)])
    >>> d.status, d.worst_index
    ('refuted', 1)
    >>> decide_margins([arb(1), arb(0, 1e-30)]).status
    'inconclusive'
    """
    margins = [m if isinstance(m, arb) else arb(m) for m in margins]
    if not margins:
        return Decision("inconclusive", "certified", statement="no instance was checked")
    negative = [i for i, m in enumerate(margins) if m < 0]
    if negative:
        i = min(negative, key=lambda k: _lower(margins[k]))
        return Decision("refuted", "certified", margins[i], margins[i].rad(), i,
                        f"refuted: instance {i} has a margin certainly below 0")
    i = min(range(len(margins)), key=lambda k: _lower(margins[k]))
    if all(m > 0 for m in margins):
        return Decision("certified", "certified", margins[i], margins[i].rad(), i,
                        f"certified at all {len(margins)} checked instances (every margin's ball > 0)")
    return Decision("inconclusive", "certified", margins[i], margins[i].rad(), i,
                    "a margin's ball contains 0: undecided at this precision")


# -- empirical: exponent fits ------------------------------------------------------------

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
    """

    method: str = "bootstrap"
    resolution: float = 0.02
    window: int | None = None
    replicates: int = 2000
    seed: int = 0
    binding: str = "auto"

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


def decide_shape(fit: ExponentFit | None, paper_exponent, relation: str, *, resolution: float,
                 tolerance: float = 0.0) -> Decision:
    """Empirical decision of an exponent claim as the scale tends to 0.

    * ``">="`` (``lhs >= C x^a``): holds iff the exponent of ``lhs`` is ``<= a``:
      ``consistent`` iff the whole interval is ``<= a``, ``contradicted`` iff it is wholly
      above ``a + tolerance``.
    * ``"<="`` (``lhs <= C x^a``): the mirror image.
    * ``"Theta"``: ``consistent`` iff the interval lies within ``resolution`` of ``a``,
      ``contradicted`` iff it lies wholly outside ``a -+ resolution``.

    A tolerance only widens ``inconclusive``; it never accepts.  The margin is the distance
    (in exponent units) from the interval to the boundary of the accepted region.
    """
    if fit is None or paper_exponent is None:
        return Decision("inconclusive", "empirical", statement="too few levels to fit an exponent")
    a = float(paper_exponent)
    lo, hi = fit.interval
    if relation == ">=":
        margin = a - hi
        status = "consistent" if hi <= a else "contradicted" if lo > a + tolerance else "inconclusive"
        side = f"<= {_num(a)}"
    elif relation == "<=":
        margin = lo - a
        status = "consistent" if lo >= a else "contradicted" if hi < a - tolerance else "inconclusive"
        side = f">= {_num(a)}"
    elif relation == "Theta":
        margin = resolution - max(abs(lo - a), abs(hi - a))
        status = ("consistent" if margin >= 0 else
                  "contradicted" if hi < a - resolution or lo > a + resolution else "inconclusive")
        side = f"= {_num(a)} to within {_num(resolution)}"
    else:
        raise ValueError(f"relation = {relation!r}: shape claims take '>=', '<=' or 'Theta'")
    x_lo, x_hi = fit.scale_range
    statement = (f"{status} with exponent {side}: fitted {fit.slope:.4f}, interval "
                 f"[{lo:.4f}, {hi:.4f}] ({fit.method}) over scale in [{x_lo:.3g}, {x_hi:.3g}], "
                 f"{fit.levels} levels")
    return Decision(status, "empirical", mpmath.mpf(margin), mpmath.mpf((hi - lo) / 2), None, statement)


def decide_trend(fit: ExponentFit | None, *, bound: float = 0.0, what: str = "quantity") -> Decision:
    """Empirical decision of "``what`` does not grow along the parameter": the fitted exponent
    of ``what`` in the parameter must be ``<= bound``.  ``contradicted`` when the whole
    interval lies above ``bound`` (a clear growth); ``consistent`` when it lies below or at
    ``bound``; otherwise ``inconclusive``.  Finitely many parameter values never prove
    uniformity; they can expose a dependence.
    """
    if fit is None:
        return Decision("inconclusive", "empirical", statement=f"too few points to fit a trend of the {what}")
    lo, hi = fit.interval
    status = "consistent" if hi <= bound else "contradicted" if lo > bound else "inconclusive"
    return Decision(status, "empirical", mpmath.mpf(bound - hi), mpmath.mpf((hi - lo) / 2), None,
                    f"{status}: exponent of the {what} in the parameter {fit.slope:.3f} "
                    f"[{lo:.3f}, {hi:.3f}] ({fit.method}) against {_num(bound)}")


def combine(decisions: Sequence[Decision]) -> Decision:
    """One decision from parts that must all hold (e.g. Theorem 5's inequalities and its
    trend): refuted/contradicted if any part is; accepted only if all are; the kind is
    ``certified`` only if every part is certified."""
    decisions = list(decisions)
    kind = "certified" if all(d.kind == "certified" for d in decisions) else "empirical"
    for d in decisions:
        if d.status in REJECTED:
            return Decision(d.status, d.kind, d.margin, d.error, d.worst_index,
                            "; ".join(x.statement for x in decisions if x.statement))
    if all(d.status in ACCEPTED for d in decisions):
        status = "certified" if kind == "certified" else "consistent"
    else:
        status = "inconclusive"
    return Decision(status, kind, None, None, None, "; ".join(d.statement for d in decisions if d.statement))


def _num(x) -> str:
    x = float(x)
    return f"{x:g}"
