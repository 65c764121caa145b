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
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Iterable

import flint
from flint import arb

from proofs_check.claim_judgement import judge
from proofs_check.exponent_fit import FitSettings
from proofs_check.judgement import KINDS, STATUSES, STATUSES_OF_KIND, PaperStatement
from proofs_check.verdict import Observation, Request, Verdict, as_ball, margin_of

__all__ = ["RELATIONS", "Claim"]

RELATIONS = (">=", "<=", "==", "Theta")


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
