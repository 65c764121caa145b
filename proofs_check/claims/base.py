"""Claims as first-class objects, their observations, and the judgement of a verdict.

A :class:`Claim` states an inequality ``lhs REL C * rhs`` between two quantities of a
configuration (or of a few parameters), where ``rhs`` carries the paper's shape (``L``,
``Delta^3 / r^3``, ...) and ``C`` is the paper's constant when it gives one.  Where the
paper hides ``C`` in ``O``, ``Theta`` or ``Omega`` (``constant=None``), the checker
estimates the best constant from the samples and judges the *shape*: the exponent of
``lhs`` in the scale variable (``L``, ``Delta``, ``delta``) is fitted over the worst
sample of each level, with a confidence interval, and compared with the paper's.

Verdicts carry their kind (see :mod:`proofs_check.judgement`): claims whose constants are
explicit are decided instance by instance on python-flint balls (kind ``certified``:
``certified`` / ``refuted`` / ``inconclusive``); claims whose constant is hidden are judged
on a fitted exponent (kind ``empirical``: ``consistent`` / ``contradicted`` /
``inconclusive``).  A margin whose ball contains 0 is ``inconclusive``, never accepted.

Conventions
-----------
* ``relation`` is ``">="``, ``"<="``, ``"=="`` (to ``tolerance``, relative) or ``"Theta"``
  (two-sided: the exponent must match to within ``fit.resolution``).
* ``margin`` of one observation is ``lhs / rhs - 1`` for ``>=`` (``1 - lhs / rhs`` for
  ``<=``) when ``rhs`` is certainly non-zero, else ``lhs - rhs`` (``rhs - lhs``): a
  non-negative margin means the claim holds at that observation.
* Settings are a frozen dataclass per claim kind (``Claim.settings``); ``variant`` replaces
  fields of it by name, and an unknown name is an error.
* Scale variables tend to 0 (loss level, separation, angle): a lower bound ``lhs >= C x^a``
  survives small ``x`` iff the fitted exponent of ``lhs`` is ``<= a``; an upper bound iff
  it is ``>= a``.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Iterable

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
    "ratio",
    "base_verdict",
    "judge",
    "judge_each",
    "as_ball",
]

from proofs_check.judgement import (STATUSES, Decision, ExponentFit, FitSettings, decide_margins,
                                    decide_shape, fit_exponent)
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
    """The best constant seen and the fitted exponent with its interval (method in ``fit``)."""

    constant: Any = None  # mpf
    exponent: float | None = None
    exponent_ci: tuple | None = None
    paper_exponent: Fraction | None = None
    note: str = ""
    fit: ExponentFit | None = None

    def to_json(self) -> dict:
        fmt = lambda x: None if x is None else mpmath.nstr(mpmath.mpf(x), 8)
        return {
            "constant": fmt(self.constant),
            "exponent": fmt(self.exponent),
            "exponent_ci": None if self.exponent_ci is None else [fmt(x) for x in self.exponent_ci],
            "paper_exponent": None if self.paper_exponent is None else str(self.paper_exponent),
            "note": self.note,
            "fit": None if self.fit is None else self.fit.to_json(),
        }


@dataclass(frozen=True)
class Verdict:
    claim_id: str
    source: str
    status: str
    expected: str
    kind: str
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
    shown: str = ""  # what was shown, in one sentence (from the judgement's Decision)

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
            "kind": self.kind,
            "status": self.status,
            "expected": self.expected,
            "shown": self.shown,
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




def margin_of(relation: str, lhs, rhs, tolerance=None):
    """The margin of one observation (see the module conventions); an arb ball."""
    lhs, rhs = as_ball(lhs), as_ball(rhs)
    if relation == "==":
        tol = as_ball(tolerance if tolerance is not None else 0)
        scale = rhs if rhs != 0 and not rhs.contains(0) else arb(1)
        return tol - abs(lhs - rhs) / abs(scale)
    sign = 1 if relation in (">=", "Theta") else -1
    if rhs > 0 or rhs < 0:
        return sign * (lhs / rhs - 1) * (1 if rhs > 0 else -1)
    return sign * (lhs - rhs)


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
    fit: FitSettings = FitSettings()
    tolerance: Any = None  # relative tolerance of "=="
    at: Callable[["Claim", Any, int], Observation] | None = None
    judge: Callable[["Claim", list], Verdict] | None = None
    default_samples: int = 24
    settings: Any = None  # a frozen dataclass of the claim's knobs (levels, Delta, mu ...)
    paper_constant: str | None = None  # as printed in the paper, for the report
    # False when ``at`` takes a discrete decision from a midpoint (a boundary, a choice of
    # neuron): the search's float64 screen (``search --screen``) then evaluates it on balls only.
    screenable: bool = True

    def __post_init__(self):
        if self.relation not in RELATIONS:
            raise ValueError(f"claim {self.id}: relation = {self.relation!r} not in {RELATIONS}")
        if self.expected not in STATUSES:
            raise ValueError(f"claim {self.id}: expected = {self.expected!r} not in {STATUSES}")

    def variant(self, **changes) -> "Claim":
        """A copy with some fields changed.  ``settings`` may be a dict of the fields of the
        claim's settings dataclass to replace (an unknown name raises ``ValueError``), and
        ``fit`` a dict of :class:`FitSettings` fields."""
        for name in ("settings", "fit"):
            if isinstance(changes.get(name), dict):
                changes[name] = _replace_fields(getattr(self, name), changes[name], f"{self.id}.{name}")
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
        Call at the observation's precision (inside ``at``, which runs in its context).

        Exponent fits divide ``lhs`` by ``rhs / x^alpha``: a right side must be
        ``bound(x)`` times factors that do not depend on the scale (``r``, ``w_max``)."""
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


def _replace_fields(obj, updates: dict, where: str):
    if obj is None or not dataclasses.is_dataclass(obj):
        raise ValueError(f"claim {where}: there are no settings to change (got {sorted(updates)})")
    names = {f.name for f in dataclasses.fields(obj)}
    unknown = sorted(set(updates) - names)
    if unknown:
        raise ValueError(f"claim {where}: unknown setting(s) {unknown}; known: {sorted(names)}")
    return dataclasses.replace(obj, **updates)


def base_verdict(claim: Claim, obs: list, decision: Decision, *, worst=None, counterexample=None,
                 estimate=None, notes: str = "", figures=None) -> Verdict:
    """A :class:`Verdict` of ``claim`` on ``obs`` from a :class:`~proofs_check.judgement.Decision`
    (for claims with a judgement of their own)."""
    scales = [to_mpf(o.scale) for o in obs if o.scale is not None]
    return Verdict(
        claim_id=claim.id,
        source=claim.source,
        status=decision.status,
        kind=decision.kind,
        expected=claim.expected,
        samples=len(obs),
        scale_range=(min(scales), max(scales)) if scales else None,
        min_margin=decision.margin,
        dps=max((o.dps for o in obs), default=0),
        error=None if decision.error is None else to_mpf(decision.error),
        worst=worst,
        estimate=estimate,
        counterexample=counterexample,
        notes=notes,
        figures=figures,
        title=claim.title,
        statement=claim.statement,
        paper_constant=claim.paper_constant,
        shown=decision.statement,
    )


def judge(claim: Claim, obs: list) -> Verdict:
    """Default judgement; see the module docstring.

    Ratios and margins are formed at the largest precision among the observations.
    """
    with flint.ctx.workdps(max((o.dps for o in obs), default=15)):
        if not obs:
            return base_verdict(claim, obs, Decision("inconclusive", "empirical",
                                                     statement="no observations"))
        if claim.constant is not None or claim.relation == "==":
            return _judge_known_constant(claim, obs)
        return _judge_shape(claim, obs)


def judge_each(claim: Claim, obs: list) -> Verdict:
    """Judge every observation on its own margin (no exponent fit), at the observations'
    precision: for claims whose constants are all explicit, whatever ``claim.constant`` says."""
    with flint.ctx.workdps(max((o.dps for o in obs), default=15)):
        return _judge_known_constant(claim, obs)


def _judge_known_constant(claim, obs):
    decision = decide_margins([claim.margin(o) for o in obs])
    i = decision.worst_index if decision.worst_index is not None else 0
    return base_verdict(
        claim, obs, decision, worst=obs[i].witness if obs else None,
        counterexample=obs[i].witness if decision.status == "refuted" else None,
        notes=f"constant {claim.constant} as given" if claim.constant is not None else "",
        estimate=_constant_estimate(claim, obs),
    )


def ratio(o):
    """``lhs / rhs`` of an observation as a ball, or ``None`` when ``rhs`` may vanish."""
    lhs, rhs = as_ball(o.lhs), as_ball(o.rhs)
    if rhs > 0 or rhs < 0:
        return lhs / rhs
    return None


def _lower_is_worse(claim) -> bool:
    if claim.fit.binding != "auto":
        return claim.fit.binding == "smallest"
    return claim.relation in (">=", "Theta")


def _constant_estimate(claim, obs) -> Estimate:
    ratios = [r for r in (ratio(o) for o in obs) if r is not None]
    if not ratios:
        return Estimate(paper_exponent=claim.paper_exponent, note="rhs vanishes; no ratio")
    pick = min if _lower_is_worse(claim) else max
    best = pick(ratios, key=lambda r: to_mpf(r.mid()))
    fit = exponent_fit(claim, obs) if claim.paper_exponent is not None else None
    return Estimate(
        constant=to_mpf(best.mid()),
        exponent=None if fit is None else fit.slope,
        exponent_ci=None if fit is None else fit.interval,
        paper_exponent=claim.paper_exponent,
        note=("best constant over the samples (" + ("min" if pick is min else "max")
              + " of lhs/rhs)"),
        fit=fit,
    )


def exponent_fit(claim, obs) -> ExponentFit | None:
    """The exponent of ``lhs`` in the scale ``x``, fitted with ``claim.fit`` over the binding
    observation of each group (the smallest ratio ``lhs/rhs`` for a lower bound, the largest for
    an upper bound).

    The fitted value is ``|lhs/rhs| x^a`` (``a`` the paper's exponent): ``lhs`` with the right
    side's other factors (``r``, ``w_max``, the constant) divided out, so that samples of
    different shapes at one level are compared on the same footing; when ``rhs = C x^a`` it is
    ``lhs / C``.  Without a paper exponent, ``lhs`` itself is fitted."""
    keep = [(o, r) for o, r in ((o, ratio(o)) for o in obs) if o.scale is not None and r is not None]
    sign = 1 if _lower_is_worse(claim) else -1
    a = claim.paper_exponent
    if a is None:
        values = [abs(to_mpf(as_ball(o.lhs).mid())) for o, _ in keep]
    else:
        power = mpmath.mpf(Fraction(a).numerator) / Fraction(a).denominator
        values = [abs(to_mpf(r.mid())) * mpmath.power(to_mpf(as_ball(o.scale).mid()), power)
                  for o, r in keep]
    return fit_exponent(
        [o.scale for o, _ in keep], values, claim.fit,
        groups=[o.group if o.group is not None else to_mpf(o.scale) for o, _ in keep],
        rank=[sign * float(to_mpf(r.mid())) for _, r in keep],
    )


def _judge_shape(claim, obs):
    est = _constant_estimate(claim, obs)
    # The resolution is also the tolerance of a one-sided decision: it only widens
    # ``inconclusive`` (finite-size corrections approach a tight exponent from one side).
    decision = decide_shape(est.fit, claim.paper_exponent, claim.relation,
                            resolution=claim.fit.resolution, tolerance=claim.fit.resolution)
    pick = min if _lower_is_worse(claim) else max
    ratios = [(r, o) for r, o in ((ratio(o), o) for o in obs) if r is not None]
    worst_obs = pick(ratios, key=lambda t: to_mpf(t[0].mid()))[1] if ratios else obs[0]
    return base_verdict(
        claim, obs, decision, worst=worst_obs.witness, estimate=est,
        counterexample=worst_obs.witness if decision.status == "contradicted" else None,
        notes="constant hidden in O/Theta: judged on the exponent; the constant is estimated",
    )
