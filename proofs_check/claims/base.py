"""Claims as first-class objects, their observations, and the judgement of a verdict.

A :class:`Claim` states an inequality ``lhs REL C * rhs`` between two quantities of a
configuration (or of a few parameters), where ``rhs`` carries the paper's shape (``L``,
``Delta^3 / r^3``, ...) and ``C`` is the paper's constant when it gives one.  Where the
paper hides ``C`` in ``O``, ``Theta`` or ``Omega`` (``constant=None``), the checker
estimates the best constant from the samples and judges the *shape*: the exponent of
``lhs`` in the scale variable (``L``, ``Delta``, ``delta``) is fitted over the worst
sample of each level, with a confidence interval, and compared with the paper's.

Verdicts are three-valued and carry their evidence.  Every number that decides one is a
python-flint ball; a margin whose ball contains 0 is ``inconclusive``, never ``holds``.

Conventions
-----------
* ``relation`` is ``">="``, ``"<="``, ``"=="`` (to ``tolerance``, relative) or ``"Theta"``
  (two-sided: the exponent must match).
* ``margin`` of one observation is ``lhs / rhs - 1`` for ``>=`` (``1 - lhs / rhs`` for
  ``<=``) when ``rhs`` is certainly non-zero, else ``lhs - rhs`` (``rhs - lhs``): a
  non-negative margin means the claim holds at that observation.
* Scale variables tend to 0 (loss level, separation, angle): a lower bound ``lhs >= C x^a``
  survives small ``x`` iff the fitted exponent of ``lhs`` is ``<= a``; an upper bound iff
  it is ``>= a``.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Iterable, Sequence

import flint
import mpmath
import numpy as np
from flint import arb

from numeric.precision import decimal_string, to_mpf

__all__ = [
    "STATUSES",
    "Observation",
    "Estimate",
    "Verdict",
    "Request",
    "Claim",
    "margin_of",
    "judge",
    "judge_each",
    "fit_exponent",
    "as_ball",
]

STATUSES = ("holds", "violated", "inconclusive")
RELATIONS = (">=", "<=", "==", "Theta")


@dataclass(frozen=True)
class Observation:
    """One evaluation of both sides of a claim.

    ``lhs`` and ``rhs`` are arb balls with the paper's constant already applied to ``rhs``
    when the claim has one; ``scale`` is the value of the scale variable (an arb ball or
    number, e.g. the loss); ``group`` buckets observations for the exponent fit (e.g. the
    target loss level); ``witness`` replays the observation: ``{"config": {...}}`` (a
    configuration dict) and/or ``{"params": {...}}``.
    """

    lhs: Any
    rhs: Any
    scale: Any
    dps: int
    witness: dict = field(default_factory=dict)
    group: Any = None


@dataclass(frozen=True)
class Estimate:
    """The best constant seen and the fitted exponent with its 95% interval."""

    constant: Any = None  # mpf
    exponent: float | None = None
    exponent_ci: tuple | None = None
    paper_exponent: Fraction | None = None
    note: str = ""

    def to_json(self) -> dict:
        fmt = lambda x: None if x is None else mpmath.nstr(mpmath.mpf(x), 8)
        return {
            "constant": fmt(self.constant),
            "exponent": fmt(self.exponent),
            "exponent_ci": None if self.exponent_ci is None else [fmt(x) for x in self.exponent_ci],
            "paper_exponent": None if self.paper_exponent is None else str(self.paper_exponent),
            "note": self.note,
        }


@dataclass(frozen=True)
class Verdict:
    claim_id: str
    source: str
    status: str
    expected: str
    samples: int
    scale_range: tuple | None  # (lo, hi) mpf
    min_margin: Any  # arb ball or mpf
    dps: int
    error: Any  # mpf: error bound/estimate of min_margin
    worst: dict | None
    estimate: Estimate | None = None
    counterexample: dict | None = None
    notes: str = ""
    figures: dict | None = None
    title: str = ""
    statement: str = ""
    paper_constant: str | None = None

    @property
    def matches(self) -> bool:
        return self.status == self.expected

    def amended(self, **changes) -> "Verdict":
        """A copy with some fields changed (claims add notes, estimates or figures)."""
        return dataclasses.replace(self, **changes)

    def to_json(self) -> dict:
        fmt = lambda x: None if x is None else decimal_string(x, 10)
        out = {
            "id": self.claim_id,
            "title": self.title,
            "source": self.source,
            "statement_latex": self.statement,
            "status": self.status,
            "expected": self.expected,
            "samples": self.samples,
            "loss_range": None if self.scale_range is None else [fmt(x) for x in self.scale_range],
            "min_margin": fmt(self.min_margin),
            "dps": self.dps,
            "error": fmt(self.error),
            "worst": self.worst,
            "estimate": None if self.estimate is None else self.estimate.to_json(),
            "counterexample": self.counterexample,
            "paper_constant": self.paper_constant,
            "notes": self.notes,
        }
        if self.figures:
            out["figures"] = self.figures
        return out


@dataclass(frozen=True)
class Request:
    """What a claim's ``observe`` is asked for: a sample budget and a seeded generator."""

    samples: int
    seed: int = 0
    progress: Callable[[int], None] | None = None

    def rng(self, salt: str = "") -> np.random.Generator:
        # Seeded per claim so that claims do not shift each other's streams.
        return np.random.default_rng([self.seed, *(ord(c) for c in salt)])

    def tick(self, n: int = 1) -> None:
        if self.progress is not None:
            self.progress(n)


def _certainly_positive(x) -> bool:
    return bool(x > 0)


def _certainly_negative(x) -> bool:
    return bool(x < 0)


def as_ball(x):
    """An arb ball from a ball, int, Fraction, decimal string, mpf or float (exactly)."""
    if isinstance(x, arb):
        return x
    if isinstance(x, str):
        return arb(x)
    from fractions import Fraction as _F

    from flint import fmpq

    from numeric.config import to_fraction

    f = x if isinstance(x, _F) else to_fraction(x, "constant")
    return arb(fmpq(f.numerator, f.denominator))


_ball = as_ball


def margin_of(relation: str, lhs, rhs, tolerance=None):
    """The margin of one observation (see the module conventions); an arb ball."""
    lhs, rhs = _ball(lhs), _ball(rhs)
    if relation == "==":
        tol = as_ball(tolerance if tolerance is not None else 0)
        scale = rhs if rhs != 0 and not rhs.contains(0) else arb(1)
        return tol - abs(lhs - rhs) / abs(scale)
    sign = 1 if relation in (">=", "Theta") else -1
    if rhs > 0 or rhs < 0:
        return sign * (lhs / rhs - 1) * (1 if rhs > 0 else -1)
    return sign * (lhs - rhs)


def fit_exponent(scales: Sequence, values: Sequence):
    """Least-squares slope of ``log value`` on ``log scale`` with a 95% t-interval.

    Returns ``(slope, (lo, hi), intercept)`` or ``None`` with fewer than 3 usable points.

    >>> s = [10.0**-k for k in range(1, 7)]
    >>> slope, ci, _ = fit_exponent(s, [3 * x**1.5 for x in s])
    >>> round(slope, 6), ci[0] <= 1.5 <= ci[1]
    (1.5, True)
    """
    pts = []
    for s, v in zip(scales, values):
        s, v = to_mpf(s), to_mpf(v)
        if s > 0 and v > 0:
            pts.append((float(mpmath.log(s)), float(mpmath.log(v))))
    if len(pts) < 3:
        return None
    x = np.array([p[0] for p in pts])
    y = np.array([p[1] for p in pts])
    if np.ptp(x) == 0:
        return None
    A = np.vstack([x, np.ones_like(x)]).T
    (slope, intercept), *_ = np.linalg.lstsq(A, y, rcond=None)
    resid = y - (slope * x + intercept)
    n = len(x)
    s2 = float(resid @ resid) / (n - 2) if n > 2 else 0.0
    se = math.sqrt(s2 / float(((x - x.mean()) ** 2).sum()))
    t = _t_quantile_975(n - 2)
    # A floor on the half-width: the worst sample of a level is itself an estimate.
    half = max(t * se, 1e-3)
    return float(slope), (float(slope - half), float(slope + half)), float(intercept)


def _t_quantile_975(df: int) -> float:
    table = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
             9: 2.262, 10: 2.228, 12: 2.179, 15: 2.131, 20: 2.086, 30: 2.042}
    for k in sorted(table):
        if df <= k:
            return table[k]
    return 1.96


@dataclass(frozen=True)
class Claim:
    """A claim of a paper, executable.

    ``observe(claim, request)`` yields :class:`Observation` s; ``at(claim, config, dps)``
    (optional) evaluates both sides at one configuration, which is what the counterexample
    search and ``proofs-check replay`` use.  ``judge`` turns observations into a verdict
    (default: :func:`judge`).  Use :meth:`variant` to plant false twins (a larger
    constant, a stronger exponent, a dropped hypothesis).
    """

    id: str
    title: str
    source: str
    statement: str  # LaTeX
    hypotheses: str  # LaTeX or text
    lhs: str  # LaTeX of the left side
    rhs: str  # LaTeX of the right side's shape
    relation: str
    expected: str
    observe: Callable[["Claim", Request], Iterable[Observation]]
    constant: Any = None  # None: hidden in O/Theta/Omega, estimated from the samples
    paper_exponent: Fraction | None = None
    exponent_tolerance: float = 0.05
    tolerance: Any = None  # relative tolerance of "=="
    at: Callable[["Claim", Any, int], Observation] | None = None
    judge: Callable[["Claim", list], Verdict] | None = None
    default_samples: int = 24
    params: dict = field(default_factory=dict)  # claim-specific knobs (levels, Delta, mu ...)
    paper_constant: str | None = None  # as printed in the paper, for the report

    def __post_init__(self):
        if self.relation not in RELATIONS:
            raise ValueError(f"claim {self.id}: relation = {self.relation!r} not in {RELATIONS}")
        if self.expected not in STATUSES:
            raise ValueError(f"claim {self.id}: expected = {self.expected!r} not in {STATUSES}")

    def variant(self, **changes) -> "Claim":
        """A copy with some fields changed; ``params`` entries are merged, not replaced."""
        if "params" in changes:
            changes["params"] = {**self.params, **changes["params"]}
        return dataclasses.replace(self, **changes)

    def observations(self, samples: int | None = None, seed: int = 0, progress=None) -> list:
        req = Request(samples or self.default_samples, seed, progress)
        return list(self.observe(self, req))

    def check(self, samples: int | None = None, seed: int = 0, progress=None) -> Verdict:
        obs = self.observations(samples, seed, progress)
        return (self.judge or judge)(self, obs)

    def margin(self, obs: Observation):
        """The observation's margin, computed at the observation's own precision."""
        with flint.ctx.workdps(max(obs.dps, 15)):
            return margin_of(self.relation, obs.lhs, obs.rhs, self.tolerance)

    def bound(self, x):
        """The right side's shape at scale ``x``: ``C x^alpha`` as a ball, with ``alpha`` the
        paper's exponent and ``C`` the claim's constant (1 when hidden in O/Theta).
        Call at the observation's precision (inside ``at``, which runs in its context)."""
        x = as_ball(x)
        e = self.paper_exponent
        if e is None:
            value = arb(1)
        elif Fraction(e).denominator == 1:
            value = x ** int(e)
        else:
            value = arb.exp(arb.log(x) * as_ball(Fraction(e)))
        return value * as_ball(self.constant) if self.constant is not None else value

    def observe_at(self, config, dps: int) -> Observation:
        """``at`` evaluated inside ``flint.ctx.workdps(dps)``, so that the arithmetic a
        claim does on its balls keeps the sample's precision."""
        if self.at is None:
            raise ValueError(f"claim {self.id} has no `at`: it is not evaluated at a configuration")
        with flint.ctx.workdps(dps):
            return self.at(self, config, dps)


def _worst_index(margins) -> int:
    return min(range(len(margins)), key=lambda i: to_mpf(margins[i].mid()) - to_mpf(margins[i].rad()))


def _base_verdict(claim: Claim, obs: list, **kw) -> Verdict:
    scales = [to_mpf(o.scale) for o in obs if o.scale is not None]
    return Verdict(
        claim_id=claim.id,
        source=claim.source,
        expected=claim.expected,
        samples=len(obs),
        scale_range=(min(scales), max(scales)) if scales else None,
        dps=max((o.dps for o in obs), default=0),
        title=claim.title,
        statement=claim.statement,
        paper_constant=claim.paper_constant,
        **kw,
    )


def judge(claim: Claim, obs: list) -> Verdict:
    """Default judgement; see the module docstring.

    Ratios and margins are formed at the largest precision among the observations.
    """
    with flint.ctx.workdps(max((o.dps for o in obs), default=15)):
        return _judge(claim, obs)


def judge_each(claim: Claim, obs: list) -> Verdict:
    """Judge every observation on its own margin (no exponent fit), at the observations'
    precision: for claims whose constants are all explicit, whatever ``claim.constant`` says."""
    with flint.ctx.workdps(max((o.dps for o in obs), default=15)):
        return _judge_known_constant(claim, obs)


def _judge(claim: Claim, obs: list) -> Verdict:
    if not obs:
        return _base_verdict(claim, obs, status="inconclusive", min_margin=None, error=None,
                             worst=None, notes="no observations")
    if claim.constant is not None or claim.relation == "==":
        return _judge_known_constant(claim, obs)
    return _judge_shape(claim, obs)


def _judge_known_constant(claim, obs):
    margins = [claim.margin(o) for o in obs]
    i = _worst_index(margins)
    worst = margins[i]
    if any(_certainly_negative(m) for m in margins):
        status = "violated"
        counter = obs[i].witness
    elif all(_certainly_positive(m) for m in margins):
        status, counter = "holds", None
    else:
        status, counter = "inconclusive", None
    return _base_verdict(
        claim, obs, status=status, min_margin=worst, error=to_mpf(worst.rad()),
        worst=obs[i].witness, counterexample=counter,
        notes=f"constant {claim.constant} as given" if claim.constant is not None else "",
        estimate=_constant_estimate(claim, obs),
    )


def _ratio(o):
    lhs, rhs = _ball(o.lhs), _ball(o.rhs)
    if rhs > 0 or rhs < 0:
        return lhs / rhs
    return None


def _constant_estimate(claim, obs) -> Estimate:
    ratios = [r for r in (_ratio(o) for o in obs) if r is not None]
    if not ratios:
        return Estimate(paper_exponent=claim.paper_exponent, note="rhs vanishes; no ratio")
    pick = min if claim.relation in (">=", "Theta") else max
    best = pick(ratios, key=lambda r: to_mpf(r.mid()))
    fit = _exponent_fit(claim, obs)
    return Estimate(
        constant=to_mpf(best.mid()),
        exponent=None if fit is None else fit[0],
        exponent_ci=None if fit is None else fit[1],
        paper_exponent=claim.paper_exponent,
        note=("best constant over the samples (" + ("min" if pick is min else "max")
              + " of lhs/rhs)"),
    )


def _exponent_fit(claim, obs):
    """Fit over the worst observation of each group: the binding case of the bound."""
    groups = {}
    for o in obs:
        r = _ratio(o)
        if r is None or o.scale is None:
            continue
        key = o.group if o.group is not None else to_mpf(o.scale)
        cur = groups.get(key)
        worse = (lambda a, b: to_mpf(a.mid()) < to_mpf(b.mid())) if claim.relation in (">=", "Theta") else (
            lambda a, b: to_mpf(a.mid()) > to_mpf(b.mid()))
        if cur is None or worse(r, cur[0]):
            groups[key] = (r, o)
    if len(groups) < 3:
        return None
    scales = [to_mpf(o.scale) for _, o in groups.values()]
    values = [abs(to_mpf(_ball(o.lhs).mid())) for _, o in groups.values()]
    return fit_exponent(scales, values)


def _judge_shape(claim, obs):
    est = _constant_estimate(claim, obs)
    alpha = float(claim.paper_exponent) if claim.paper_exponent is not None else None
    ratios = [(_ratio(o), o) for o in obs]
    ratios = [(r, o) for r, o in ratios if r is not None]
    pick = min if claim.relation in (">=", "Theta") else max
    worst_ratio, worst_obs = pick(ratios, key=lambda t: to_mpf(t[0].mid())) if ratios else (None, obs[0])
    if est.exponent is None or alpha is None:
        return _base_verdict(claim, obs, status="inconclusive", min_margin=None, error=None,
                             worst=worst_obs.witness, estimate=est,
                             notes="too few loss levels to fit an exponent")
    lo, hi = est.exponent_ci
    tol = claim.exponent_tolerance
    # The margin is measured from the edge of the 95% interval to the edge of the accepted
    # region (paper's exponent +- tolerance): margin >= 0 iff the whole interval is inside.
    if claim.relation == ">=":
        # lhs >= C x^alpha as x -> 0 iff lhs decays no faster than x^alpha.
        margin = (alpha + tol) - hi
        status = "holds" if margin >= 0 else "violated" if lo > alpha + tol else "inconclusive"
    elif claim.relation == "<=":
        margin = lo - (alpha - tol)
        status = "holds" if margin >= 0 else "violated" if hi < alpha - tol else "inconclusive"
    else:  # Theta: the exponent itself
        margin = min(lo - (alpha - tol), (alpha + tol) - hi)
        status = ("holds" if margin >= 0
                  else "violated" if hi < alpha - tol or lo > alpha + tol else "inconclusive")
    err = (hi - lo) / 2
    counter = worst_obs.witness if status == "violated" else None
    return _base_verdict(
        claim, obs, status=status, min_margin=mpmath.mpf(margin), error=mpmath.mpf(err),
        worst=worst_obs.witness, estimate=est, counterexample=counter,
        notes=(f"constant hidden in O/Theta: judged on the exponent (fitted "
               f"{est.exponent:.3f} in [{lo:.3f}, {hi:.3f}] vs paper {claim.paper_exponent}, "
               f"tolerance {tol}); margin = distance of the 95% interval inside the accepted region"),
    )
