"""Claims as first-class objects, their observations, and the judgement of a verdict.

A :class:`Claim` states an inequality ``lhs REL C * rhs`` between two quantities of a
configuration (or of a few parameters), where ``rhs`` carries the paper's shape (``L``,
``Delta^3 / r^3``, ...) and ``C`` is the paper's constant when it gives one.  Where the
paper hides ``C`` in ``O``, ``Theta`` or ``Omega`` (``constant=None``), the checker
estimates the best constant from the samples and judges the *shape*: the exponent of
``lhs`` in the scale variable (``L``, ``Delta``, ``delta``) is fitted over the worst
sample of each level, with a confidence interval, and compared with the paper's.

Verdicts carry their kind (see :mod:`proofs_check.judgement`, which alone decides): claims
whose constants are explicit are decided instance by instance on python-flint balls (kind
``checked``: ``checked`` at N instances drawn as ``Claim.drawn_from`` says, or ``refuted``
by one of them, a proof); ``==`` claims are ``checked`` "to N certified digits" unless
``Claim.symbolic_proof`` proves the identity by exact algebra (kind ``proved``); claims whose
constant is hidden are judged on a fitted exponent (kind ``empirical``: ``consistent`` /
``contradicted``).  Claims that prove a statement over a region or an existence have their
own ``judge`` calling :func:`~proofs_check.judgement.decide_proof`.  Any of them may end
``inconclusive``; a margin whose ball contains 0 is never accepted.

Every claim declares the kind of result it aims at (``kind``), what the paper states
(``paper``, a :class:`~proofs_check.judgement.PaperStatement`) and, separately, the verdict
this tool is recorded to reach (``expected``, a regression expectation).

Conventions
-----------
* ``relation`` is ``">="``, ``"<="``, ``"=="`` (``tolerance``: the relative agreement, 10^-N,
  a checked identity must reach; a certainly non-zero difference is refuted whatever its size)
  or ``"Theta"``
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
    "KINDS",
    "PaperStatement",
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
    "judge_proof",
    "instances_drawn",
    "margin_kind_of",
    "as_ball",
]

from proofs_check.judgement import (KINDS, STATUSES, STATUSES_OF_KIND, Decision, ExponentFit,
                                    FitSettings, PaperStatement, decide_identity, decide_instances, decide_nothing,
                                    decide_proof,
                                    decide_shape, fit_exponent, versus_paper)
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
    paper: PaperStatement | None = None  # what the paper states (apart from the verdict)
    margin_kind: str = "relative"  # what ``min_margin`` measures (judgement.MARGIN_KINDS)
    instances: int | None = None  # N of a checked (or refuted) decision
    drawn_from: str = ""  # where a checked decision's instances were drawn

    @property
    def versus_paper(self) -> str:
        """``agrees`` / ``against`` / ``open`` / ``-``: see :func:`~proofs_check.judgement.versus_paper`."""
        return versus_paper(self.paper.says if self.paper else "silent", self.status)

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
            "paper": None if self.paper is None else self.paper.to_json(),
            "versus_paper": self.versus_paper,
            "margin_kind": self.margin_kind,
            "instances": self.instances,
            "drawn_from": self.drawn_from,
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
    expected: str  # the verdict this tool is recorded to reach (a regression expectation)
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
    # The kind of result the claim aims at (judgement.KINDS); a refutation is a proof whatever
    # the kind attempted.  ``None``: the default judgement's kind (``checked`` for an explicit
    # constant or ``==``, ``empirical`` for a hidden constant); a claim with its own ``judge``
    # must declare it.
    kind: str | None = None
    # What the paper states (holds / fails / silent, with its exponent or constant).
    paper: PaperStatement | None = None
    # Where the instances of a ``checked`` claim are drawn (families, ranges), for its status.
    drawn_from: str = ""
    # For ``==`` claims: ``symbolic_proof(claim)`` returns a sentence naming an exact algebraic
    # proof that lhs - rhs is identically 0 (SymPy simplified it to 0), or "" when none holds.
    symbolic_proof: Callable[["Claim"], str] | None = None

    def __post_init__(self):
        if self.relation not in RELATIONS:
            raise ValueError(f"claim {self.id}: relation = {self.relation!r} not in {RELATIONS}")
        if self.expected not in STATUSES:
            raise ValueError(f"claim {self.id}: expected = {self.expected!r} not in {STATUSES}")
        if self.kind is None:
            if self.judge is not None:
                raise ValueError(f"claim {self.id} has its own judge: declare its kind ({', '.join(KINDS)})")
            default = ("proved" if self.relation == "==" and self.symbolic_proof is not None else
                       "checked" if (self.constant is not None or self.relation == "==") else "empirical")
            object.__setattr__(self, "kind", default)
        if self.kind not in KINDS:
            raise ValueError(f"claim {self.id}: kind = {self.kind!r} not in {KINDS}")
        if self.expected not in STATUSES_OF_KIND[self.kind] + ("refuted",):
            raise ValueError(f"claim {self.id}: expected = {self.expected!r} is not a status of kind "
                             f"{self.kind!r} ({', '.join(STATUSES_OF_KIND[self.kind])}, or refuted)")
        if self.paper is not None and not isinstance(self.paper, PaperStatement):
            raise ValueError(f"claim {self.id}: paper = {self.paper!r} must be a PaperStatement")

    def variant(self, **changes) -> "Claim":
        """A copy with some fields changed.  ``settings`` may be a dict of the fields of the
        claim's settings dataclass to replace (an unknown name raises ``ValueError``), and
        ``fit`` a dict of :class:`FitSettings` fields."""
        for name in ("settings", "fit"):
            if isinstance(changes.get(name), dict):
                changes[name] = _replace_fields(getattr(self, name), changes[name], f"{self.id}.{name}")
        if self.judge is None and "kind" not in changes and ({"constant", "relation"} & set(changes)):
            changes["kind"] = None  # the default judgement's kind follows the new constant/relation
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
    if decision.kind != claim.kind and decision.status != "refuted":
        # A claim declares the kind of result it aims at; being decided as another kind is a
        # bug of the claim (e.g. a sampled check reported as a proof), not a verdict.
        raise RuntimeError(f"claim {claim.id} declares kind {claim.kind!r} but was decided as "
                           f"{decision.kind!r} ({decision.status})")
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
        paper=claim.paper,
        margin_kind=decision.margin_kind,
        instances=decision.instances,
        drawn_from=decision.drawn_from,
    )


def judge(claim: Claim, obs: list) -> Verdict:
    """Default judgement; see the module docstring.

    Ratios and margins are formed at the largest precision among the observations.
    """
    with flint.ctx.workdps(max((o.dps for o in obs), default=15)):
        if not obs:
            return base_verdict(claim, obs, decide_nothing(claim.kind, "no observations"))
        if claim.relation == "==":
            return _judge_identity(claim, obs)
        if claim.constant is not None:
            return _judge_known_constant(claim, obs)
        return _judge_shape(claim, obs)


def judge_each(claim: Claim, obs: list) -> Verdict:
    """Judge every observation on its own margin (no exponent fit), at the observations'
    precision: for claims whose constants are all explicit, whatever ``claim.constant`` says."""
    with flint.ctx.workdps(max((o.dps for o in obs), default=15)):
        return _judge_known_constant(claim, obs)


def instances_drawn(claim: Claim, obs: list) -> str:
    """Where a checked claim's instances were drawn: the claim's description and the range
    of the scale variable the observations cover."""
    scales = [to_mpf(o.scale) for o in obs if o.scale is not None]
    where = claim.drawn_from or "instances of the claim's sampler"
    if scales:
        where += f"; scale in [{mpmath.nstr(min(scales), 3)}, {mpmath.nstr(max(scales), 3)}]"
    return where


def margin_kind_of(obs: list) -> str:
    """``relative`` when every observation's ``rhs`` is certainly non-zero (the margin is then
    ``lhs/rhs - 1``), else ``absolute`` (see :func:`margin_of`)."""
    return "relative" if all(ratio(o) is not None for o in obs) else "absolute"


def _judge_identity(claim, obs):
    proof = claim.symbolic_proof(claim) if claim.symbolic_proof is not None else ""
    # The tolerance is the agreement asked of a `checked` identity (10^-N: N digits); it never
    # accepts a difference that is certainly non-zero.
    required = 1
    if claim.tolerance is not None:
        tol = to_mpf(as_ball(claim.tolerance).mid())
        required = max(1, int(mpmath.floor(-mpmath.log10(tol)))) if 0 < tol < 1 else 1
    decision = decide_identity([as_ball(o.lhs) - as_ball(o.rhs) for o in obs], [as_ball(o.rhs) for o in obs],
                               drawn_from=instances_drawn(claim, obs), exact_algebra=proof,
                               digits_required=required, aim="proved" if claim.kind == "proved" else "checked")
    i = decision.worst_index if decision.worst_index is not None else 0
    return base_verdict(claim, obs, decision, worst=obs[i].witness if obs else None,
                        counterexample=obs[i].witness if decision.status == "refuted" else None)


def _judge_known_constant(claim, obs):
    decision = decide_instances([claim.margin(o) for o in obs], drawn_from=instances_drawn(claim, obs),
                                margin_kind=margin_kind_of(obs))
    i = decision.worst_index if decision.worst_index is not None else 0
    return base_verdict(
        claim, obs, decision, worst=obs[i].witness if obs else None,
        counterexample=obs[i].witness if decision.status == "refuted" else None,
        notes=f"constant {claim.constant} as given" if claim.constant is not None else "",
        estimate=_constant_estimate(claim, obs),
    )


def judge_proof(claim: Claim, obs: list, proves: str) -> Verdict:
    """A ``proved`` claim: the observations' margins, all certainly positive, together prove
    the statement ``proves`` describes (boxes covering a region, Krawczyk certificates); see
    :func:`~proofs_check.judgement.decide_proof`."""
    with flint.ctx.workdps(max((o.dps for o in obs), default=15)):
        decision = decide_proof([claim.margin(o) for o in obs], proves=proves, margin_kind=margin_kind_of(obs))
    i = decision.worst_index if decision.worst_index is not None else 0
    return base_verdict(claim, obs, decision, worst=obs[i].witness if obs else None,
                        counterexample=obs[i].witness if decision.status == "refuted" else None,
                        estimate=_constant_estimate(claim, obs) if obs else None)


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
                            resolution=claim.fit.resolution, tolerance=claim.fit.resolution,
                            accept_tolerance=claim.fit.resolution if claim.fit.attained else 0.0)
    pick = min if _lower_is_worse(claim) else max
    ratios = [(r, o) for r, o in ((ratio(o), o) for o in obs) if r is not None]
    worst_obs = pick(ratios, key=lambda t: to_mpf(t[0].mid()))[1] if ratios else obs[0]
    return base_verdict(
        claim, obs, decision, worst=worst_obs.witness, estimate=est,
        counterexample=worst_obs.witness if decision.status == "contradicted" else None,
        notes="constant hidden in O/Theta: judged on the exponent; the constant is estimated",
    )
