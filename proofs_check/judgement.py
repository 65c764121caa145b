"""Judgement: how a verdict is decided, in one public module, with one status vocabulary.

One module because it is the only place a :class:`Decision` is built: the deciders share the
status vocabulary, the kind bookkeeping and the rule that one certified counterexample refutes
whatever kind was attempted, and a claim finds every way to be decided here (the exponent fits
they judge are measured in :mod:`proofs_check.exponent_fit`).

Three kinds of result, never mixed (a claim declares the kind it aims at, ``Claim.kind``):

* **proved**: a statement over a region or an existence, decided rigorously: branch and bound
  over boxes that cover the region, Krawczyk existence, an identity by exact algebra, a
  certified integral with its error bound.  Status ``proved``.
* **checked**: every one of N instances decided on python-flint balls; the statement beyond
  them is not proved.  Status ``checked``; the decision carries N (``instances``) and where
  the instances were drawn (``drawn_from``: the loss range, the families).
* **empirical**: a fit or a trend over samples, with an uncertainty interval whose method is
  stated.  Statuses ``consistent`` and ``contradicted``.

``refuted`` is one instance decided false on balls: a certified counterexample, which is a
proof (its kind is ``proved``, whatever kind of result was attempted).  Any attempt may end
``inconclusive`` (it keeps the kind attempted).  A ball that contains 0 decides nothing.

The deciders (claims supply observations and a description; only this module builds a
:class:`Decision`):

* :func:`decide_instances` (checked): one margin ball per instance;
* :func:`decide_proof` (proved): margin balls whose positivity together proves the statement
  (the boxes of a branch and bound, Krawczyk certificates, certified integrals);
* :func:`decide_identity` (proved or checked): an ``==`` claim is ``proved`` only by exact
  algebra (SymPy simplifies the difference to 0) or by a certified enclosure together with a
  stated proof that the difference is analytic and vanishes; otherwise it is ``checked``,
  "agrees to N certified digits" at the instances;
* :func:`decide_shape` (empirical): a fitted exponent against the paper's;
* :func:`decide_trend` (empirical): "no growth" of a quantity along a parameter;
* :func:`combine`: parts that must all hold; the result has the weakest kind of its parts.

What the paper states is recorded apart from the verdict (:class:`PaperStatement`), and
:func:`versus_paper` says whether the verdict agrees with it, goes against it (a finding), or
leaves it open.  The suite's exit status compares the verdict with the tool's own recorded
expectation (``Claim.expected``): it detects regressions of the tool, not errors of the paper.

Exponents are fitted by :func:`proofs_check.exponent_fit.fit_exponent` with the method the
claim declares (:class:`proofs_check.exponent_fit.FitSettings`); :func:`decide_shape` and
:func:`decide_trend` judge the fit.

>>> from proofs_check.exponent_fit import fit_exponent
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
from flint import arb

from proofs_check.exponent_fit import ExponentFit

__all__ = [
    "STATUSES",
    "KINDS",
    "ACCEPTED",
    "REJECTED",
    "STATUSES_OF_KIND",
    "MARGIN_KINDS",
    "PAPER_SAYS",
    "kind_of",
    "Decision",
    "PaperStatement",
    "versus_paper",
    "decide_nothing",
    "decide_instances",
    "decide_proof",
    "decide_identity",
    "decide_samples",
    "decide_witness_levels",
    "decide_threshold",
    "decide_shape",
    "decide_trend",
    "combine",
    "certified_digits",
]

STATUSES = ("proved", "refuted", "checked", "consistent", "contradicted", "inconclusive")
KINDS = ("proved", "checked", "empirical")
#: The statuses a decision of each kind may end with.
STATUSES_OF_KIND = {
    "proved": ("proved", "refuted", "inconclusive"),
    "checked": ("checked", "inconclusive"),  # a failed instance makes the decision `refuted`, kind proved
    "empirical": ("consistent", "contradicted", "inconclusive"),
}
ACCEPTED = ("proved", "checked", "consistent")
REJECTED = ("refuted", "contradicted")
_KIND = {"proved": "proved", "refuted": "proved", "checked": "checked",
         "consistent": "empirical", "contradicted": "empirical"}
#: What a decision's margin measures (``Decision.margin_kind``), as the run table labels it.
MARGIN_KINDS = {
    "relative": ("rel", "lhs/rhs - 1 (1 - lhs/rhs for <=) of the binding instance, a ball; >= 0 is the claim's side"),
    "absolute": ("abs", "lhs - rhs (rhs - lhs for <=) of the binding instance, a ball; >= 0 is the claim's side"),
    "exponent": ("exp", "distance of the fitted exponent's interval to the boundary of the accepted region"),
    "digits": ("dig", "certified digits to which the two sides of an identity agree (worst instance)"),
    "quantity": ("val", "the deciding quantity itself (e.g. a Rayleigh quotient), a ball"),
}
#: What a paper states about a claim: it holds, it fails (the paper says so, e.g. PL near
#: the minima), or nothing (a tightness found by this tool, a contrast between papers).
PAPER_SAYS = ("holds", "fails", "silent")


def kind_of(status: str, default: str = "checked") -> str:
    """The kind a status belongs to (``inconclusive`` takes ``default``, the kind attempted).

    >>> kind_of("refuted"), kind_of("checked"), kind_of("consistent"), kind_of("inconclusive", "proved")
    ('proved', 'checked', 'empirical', 'proved')
    """
    if status not in STATUSES:
        raise ValueError(f"status = {status!r} is not one of {STATUSES}")
    if default not in KINDS:
        raise ValueError(f"kind = {default!r} is not one of {KINDS}")
    return _KIND.get(status, default)


@dataclass(frozen=True)
class Decision:
    """A status with its kind, the deciding margin (>= 0 means the claim's side) and what it
    measures (``margin_kind``, a key of :data:`MARGIN_KINDS`), its error, the index of the
    binding instance, a sentence saying what was shown, and for ``checked`` results the
    number of instances and where they were drawn."""

    status: str
    kind: str
    margin: Any = None
    error: Any = None
    worst_index: int | None = None
    statement: str = ""
    margin_kind: str = "relative"
    instances: int | None = None
    drawn_from: str = ""

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status = {self.status!r} is not one of {STATUSES}")
        if self.kind not in KINDS:
            raise ValueError(f"kind = {self.kind!r} is not one of {KINDS}")
        if self.status != "inconclusive" and kind_of(self.status) != self.kind:
            raise ValueError(f"status {self.status!r} is not of kind {self.kind!r}")
        if self.margin_kind not in MARGIN_KINDS:
            raise ValueError(f"margin_kind = {self.margin_kind!r} is not one of {sorted(MARGIN_KINDS)}")
        if self.status == "checked" and not (self.instances and self.drawn_from):
            raise ValueError("a `checked` decision must say how many instances and where they were drawn")


@dataclass(frozen=True)
class PaperStatement:
    """What the paper states about a claim, recorded apart from the tool's verdict.

    ``says``: ``"holds"`` (the paper states it), ``"fails"`` (the paper says it fails) or
    ``"silent"`` (the paper states nothing; e.g. a tightness this tool found);
    ``detail``: the paper's exponent, constant or form, as printed (e.g. ``"exponent 3/4"``).

    >>> PaperStatement("holds", "exponent 3/4").says
    'holds'
    """

    says: str
    detail: str = ""

    def __post_init__(self):
        if self.says not in PAPER_SAYS:
            raise ValueError(f"PaperStatement.says = {self.says!r} is not one of {PAPER_SAYS}")

    def to_json(self) -> dict:
        return {"says": self.says, "detail": self.detail}


def versus_paper(paper_says: str, status: str) -> str:
    """How a verdict stands against what the paper states.

    ``"agrees"`` (accepted where the paper says it holds, rejected where it says it fails),
    ``"against"`` (the opposite: a finding against the paper, e.g. an erratum),
    ``"open"`` (the verdict is inconclusive), ``"-"`` (the paper is silent).

    >>> versus_paper("holds", "checked"), versus_paper("holds", "contradicted")
    ('agrees', 'against')
    >>> versus_paper("fails", "contradicted"), versus_paper("silent", "consistent"), versus_paper("holds", "inconclusive")
    ('agrees', '-', 'open')
    """
    if paper_says not in PAPER_SAYS:
        raise ValueError(f"paper says {paper_says!r}: not one of {PAPER_SAYS}")
    if status not in STATUSES:
        raise ValueError(f"status = {status!r} is not one of {STATUSES}")
    if paper_says == "silent":
        return "-"
    if status == "inconclusive":
        return "open"
    accepted = status in ACCEPTED
    return "agrees" if accepted == (paper_says == "holds") else "against"


# -- checked and proved: margins on balls --------------------------------------------------

def _lower(x) -> float:
    """The ball's lower end as a float (for ordering only; decisions use the balls)."""
    x = x if isinstance(x, arb) else arb(x)
    return float(x.lower())


def _balls(margins):
    return [m if isinstance(m, arb) else arb(m) for m in margins]


def _refutation(margins, i, margin_kind, where) -> Decision:
    return Decision("refuted", "proved", margins[i], margins[i].rad(), i,
                    f"refuted: instance {i} ({where}) has a margin certainly below 0, a certified "
                    f"counterexample", margin_kind, len(margins), where)


def decide_nothing(kind: str, why: str) -> Decision:
    """``inconclusive`` of the kind attempted, when there is nothing to decide on (``why``).

    >>> decide_nothing("checked", "no sample in the hypothesis region").status
    'inconclusive'
    """
    return Decision("inconclusive", kind, statement=why,
                    margin_kind="exponent" if kind == "empirical" else "relative")


def decide_instances(margins: Sequence, *, drawn_from: str, margin_kind: str = "relative",
                     strict: bool = True) -> Decision:
    """Checked decision over instance margins (arb balls; ``>= 0`` is the claim's side).

    ``refuted`` (a proof) as soon as one margin is certainly negative; ``checked`` when
    every margin is certainly positive (``strict=False``: certainly ``>= 0``, for a
    non-strict inequality whose margin is exactly 0 at some instances) -- the statement
    holds at these N instances, drawn as ``drawn_from`` says, and is not proved beyond
    them; otherwise ``inconclusive``.
    The reported margin is the ball with the smallest lower end.

    >>> d = decide_instances([arb(1), arb("0.5")], drawn_from="2 draws with L in [1e-8, 1e-4]")
    >>> d.status, d.kind, d.instances
    ('checked', 'checked', 2)
    >>> d = decide_instances([arb(1), arb(-1), arb(0, 1)], drawn_from="3 draws")
    >>> d.status, d.kind, d.worst_index
    ('refuted', 'proved', 1)
    >>> decide_instances([arb(1), arb(0, 1e-30)], drawn_from="2 draws").status
    'inconclusive'
    """
    if not drawn_from:
        raise ValueError("decide_instances: say where the instances were drawn (drawn_from)")
    margins = _balls(margins)
    if not margins:
        return Decision("inconclusive", "checked", statement="no instance was checked",
                        margin_kind=margin_kind, drawn_from=drawn_from)
    negative = [i for i, m in enumerate(margins) if m < 0]
    if negative:
        return _refutation(margins, min(negative, key=lambda k: _lower(margins[k])), margin_kind, drawn_from)
    i = min(range(len(margins)), key=lambda k: _lower(margins[k]))
    n = len(margins)
    if all((m > 0) if strict else (m >= 0) for m in margins):
        return Decision("checked", "checked", margins[i], margins[i].rad(), i,
                        f"checked at {n} instances ({drawn_from}), every margin's ball "
                        f"{'> 0' if strict else '>= 0'}; not proved beyond them", margin_kind, n, drawn_from)
    return Decision("inconclusive", "checked", margins[i], margins[i].rad(), i,
                    "a margin's ball contains 0: undecided at this precision", margin_kind, n, drawn_from)


def decide_proof(margins: Sequence, *, proves: str, margin_kind: str = "relative") -> Decision:
    """Proved decision: ``margins`` are balls whose positivity, all together, proves the
    statement ``proves`` describes (the enclosures over boxes that cover a region, Krawczyk
    certificates of existence, certified integrals with their error bounds).

    ``proved`` when every ball is certainly positive; ``refuted`` when one is certainly
    negative *and* that part is itself a counterexample (an enclosure over a box that is
    negative on the whole box, a point value); otherwise ``inconclusive``.

    >>> decide_proof([arb(1), arb(2)], proves="f > 0 on [0, 1]^2 (2 boxes)").status
    'proved'
    >>> decide_proof([arb(1), arb(-2)], proves="f > 0 on [0, 1]^2 (2 boxes)").status
    'refuted'
    >>> decide_proof([arb(1), arb(0, 1)], proves="f > 0 on [0, 1]^2 (2 boxes)").status
    'inconclusive'
    """
    if not proves:
        raise ValueError("decide_proof: say what the margins prove (proves)")
    margins = _balls(margins)
    if not margins:
        return Decision("inconclusive", "proved", statement="nothing was enclosed", margin_kind=margin_kind)
    negative = [i for i, m in enumerate(margins) if m < 0]
    if negative:
        return _refutation(margins, min(negative, key=lambda k: _lower(margins[k])), margin_kind, proves)
    i = min(range(len(margins)), key=lambda k: _lower(margins[k]))
    if all(m > 0 for m in margins):
        return Decision("proved", "proved", margins[i], margins[i].rad(), i,
                        f"proved: {proves}", margin_kind, len(margins))
    return Decision("inconclusive", "proved", margins[i], margins[i].rad(), i,
                    f"not proved ({proves}): a margin's ball contains 0", margin_kind, len(margins))


def certified_digits(difference, reference) -> int:
    """The number of decimal digits to which two quantities certainly agree:
    the largest ``N`` with ``|difference| / |reference| <= 10^-N`` for every point of the
    balls (0 when not even one digit is certain; capped at 10^6 for an exact 0).

    >>> certified_digits(arb(0, 1e-25), arb(1)), certified_digits(arb(0), arb(3))
    (24, 1000000)
    """
    difference, reference = _balls([difference, reference])
    if reference.contains(0):
        reference = arb(1)  # the value may be 0 (an odd Hermite coefficient): absolute digits
    bound = (abs(difference) / abs(reference)).upper()
    if bound == 0:
        return 10**6
    n = math.floor(-float(mpmath.log10(mpmath.mpf(bound.mid().str(20, radius=False)))))
    while n > 0 and not (abs(difference) <= abs(reference) * arb(10) ** (-n)):
        n -= 1
    return max(n, 0)


def decide_identity(differences: Sequence, references: Sequence, *, drawn_from: str,
                    exact_algebra: str = "", vanishing_proof: str = "",
                    digits_required: int = 1, aim: str = "checked") -> Decision:
    """An ``==`` claim, from the differences ``lhs - rhs`` (balls) at N instances and the
    values ``rhs`` they are measured against.

    * ``refuted`` when one difference is certainly non-zero (a certified counterexample;
      a tolerance never accepts, so no difference is "small enough");
    * ``proved`` when ``exact_algebra`` names an exact symbolic proof that the difference is
      identically 0 (SymPy simplifies it to 0), or when ``vanishing_proof`` states why the
      difference is analytic and vanishes and the certified enclosures are consistent with it;
    * ``checked``, "agrees to N certified digits", when every difference's ball contains 0
      and is narrow enough for ``digits_required`` digits; otherwise ``inconclusive``.

    The margin is the smallest number of certified digits over the instances.  With
    ``aim="proved"`` (the claim aims at a proof) an identity without a proof is
    ``inconclusive`` of kind proved, never silently downgraded to ``checked``.

    >>> decide_identity([arb(0, 1e-30)], [arb(1)], drawn_from="1 angle").statement
    'agrees to 29 certified digits at 1 instances (1 angle); not proved beyond them'
    >>> decide_identity([arb(1e-40, 1e-45)], [arb(1)], drawn_from="1 angle").status
    'refuted'
    >>> decide_identity([arb(0, 1e-30)], [arb(1)], drawn_from="1 angle",
    ...                 exact_algebra="SymPy: simplify(lhs - rhs) == 0").status
    'proved'
    """
    if not drawn_from:
        raise ValueError("decide_identity: say where the instances were drawn (drawn_from)")
    differences, references = _balls(differences), _balls(references)
    nonzero = [i for i, d in enumerate(differences) if not d.contains(0)]
    if nonzero:
        i = nonzero[0]
        return Decision("refuted", "proved", differences[i], differences[i].rad(), i,
                        f"refuted: at instance {i} ({drawn_from}) the difference of the two sides is "
                        f"certainly non-zero", "absolute", len(differences), drawn_from)
    digits = [certified_digits(d, r) for d, r in zip(differences, references)]
    n = len(differences)
    worst = min(range(n), key=lambda k: digits[k]) if n else None
    least = digits[worst] if n else None
    if exact_algebra or vanishing_proof:
        reason = exact_algebra or vanishing_proof
        shown = f"proved: {reason}"
        if n:
            shown += f"; the certified enclosures agree to {least} digits at {n} instances ({drawn_from})"
        return Decision("proved", "proved", least, None, worst, shown, "digits", n or None,
                        drawn_from if n else "")
    if not n:
        return Decision("inconclusive", aim, statement="no instance was checked",
                        margin_kind="digits", drawn_from=drawn_from)
    if aim == "proved":
        return Decision("inconclusive", "proved", least, None, worst,
                        f"not proved: no exact-algebra proof holds for these settings; the certified "
                        f"enclosures agree to {least} digits at {n} instances ({drawn_from})", "digits", n,
                        drawn_from)
    if least >= digits_required:
        return Decision("checked", "checked", least, None, worst,
                        f"agrees to {least} certified digits at {n} instances ({drawn_from}); "
                        f"not proved beyond them", "digits", n, drawn_from)
    return Decision("inconclusive", "checked", least, None, worst,
                    f"agrees to only {least} certified digits (required {digits_required})",
                    "digits", n, drawn_from)


def decide_samples(margins: Sequence, *, what: str, margin_kind: str = "relative") -> Decision:
    """Empirical decision from per-sample margins whose inputs are float64 or Monte Carlo
    results (balls of a stated radius, not enclosures of the mathematical quantity): decided
    as balls, but the result is a statement about the sampled runs, ``consistent`` /
    ``contradicted`` / ``inconclusive``.

    >>> decide_samples([arb(1), arb(2)], what="GD runs").status
    'consistent'
    >>> decide_samples([arb(1), arb(-2)], what="GD runs").status
    'contradicted'
    """
    margins = _balls(margins)
    if not margins:
        return decide_nothing("empirical", "no sample")
    i = min(range(len(margins)), key=lambda k: _lower(margins[k]))
    if any(m < 0 for m in margins):
        i = min((k for k, m in enumerate(margins) if m < 0), key=lambda k: _lower(margins[k]))
        status = "contradicted"
    elif all(m > 0 for m in margins):
        status = "consistent"
    else:
        status = "inconclusive"
    return Decision(status, "empirical", margins[i], margins[i].rad(), i,
                    f"{status}: {what} ({len(margins)} sampled instances)", margin_kind)


def decide_witness_levels(found: dict, deciding: Sequence, *, what: str, margin=None, error=None,
                          margin_kind: str = "quantity") -> Decision:
    """Empirical decision of an existential statement "``P`` holds on ``{L <= eps}`` for some
    ``eps``", which no finite set of points refutes.  ``found`` maps each level to whether a
    point of that level certainly violates ``P`` (a witness decided on balls); ``deciding``
    are the levels that decide (the smallest ones).  ``contradicted`` when every deciding
    level has a witness, ``consistent`` when no level has one, otherwise ``inconclusive``.

    >>> decide_witness_levels({1e-4: True, 1e-6: True, 1e-8: True}, [1e-6, 1e-8], what="x").status
    'contradicted'
    >>> decide_witness_levels({1e-4: True, 1e-6: False}, [1e-4, 1e-6], what="x").status
    'inconclusive'
    """
    if not found:
        return decide_nothing("empirical", "no level was examined")
    if all(found.get(g, False) for g in deciding):
        status = "contradicted"
    elif not any(found.values()):
        status = "consistent"
    else:
        status = "inconclusive"
    return Decision(status, "empirical", margin, error, None,
                    f"{status}: at {sum(bool(v) for v in found.values())} of {len(found)} levels {what}",
                    margin_kind)


def decide_threshold(*, counterexample_below: bool, below_lower_bound_everywhere: bool, margin=None,
                     statement: str = "") -> Decision:
    """A claimed threshold (e.g. eps0) against the real one: ``refuted`` (a proof) when a
    configuration below it certainly violates the statement (``counterexample_below``);
    ``consistent`` (empirical) when the claimed threshold lies below the optimiser's lower
    bound of the real threshold in every geometry examined (``below_lower_bound_everywhere``:
    the lower bound is the best found, not proved); otherwise ``inconclusive``.

    >>> decide_threshold(counterexample_below=False, below_lower_bound_everywhere=True).status
    'consistent'
    >>> decide_threshold(counterexample_below=True, below_lower_bound_everywhere=True).kind
    'proved'
    """
    if counterexample_below:
        status, kind = "refuted", "proved"
    else:
        status, kind = ("consistent" if below_lower_bound_everywhere else "inconclusive"), "empirical"
    error = margin.rad() if isinstance(margin, arb) else None
    return Decision(status, kind, margin, error, None, statement, "relative")


def decide_shape(fit: ExponentFit | None, paper_exponent, relation: str, *, resolution: float,
                 tolerance: float = 0.0, accept_tolerance: float = 0.0) -> Decision:
    """Empirical decision of an exponent claim as the scale tends to 0.

    * ``">="`` (``lhs >= C x^a``): holds iff the exponent of ``lhs`` is ``<= a``:
      ``consistent`` iff the whole interval is ``<= a``, ``contradicted`` iff it is wholly
      above ``a + tolerance``.
    * ``"<="`` (``lhs <= C x^a``): the mirror image.
    * ``"Theta"``: ``consistent`` iff the interval lies within ``resolution`` of ``a``,
      ``contradicted`` iff it lies wholly outside ``a -+ resolution``.

    A tolerance only widens ``inconclusive``; it never accepts.  ``accept_tolerance`` widens it
    on the accepting side of a one-sided claim (an attained exponent: ``consistent`` only when
    the interval clears ``a`` by it).  The margin is the distance (in exponent units) from the
    interval to the boundary of the accepted region.

    >>> fit = ExponentFit(0.3334, (0.33334, 0.3339), "secant", (1e-14, 1e-7), 8)
    >>> decide_shape(fit, Fraction(1, 3), "<=", resolution=0.01).status
    'consistent'
    >>> decide_shape(fit, Fraction(1, 3), "<=", resolution=0.01, accept_tolerance=0.01).status
    'inconclusive'
    """
    if fit is None or paper_exponent is None:
        return Decision("inconclusive", "empirical", statement="too few levels to fit an exponent",
                        margin_kind="exponent")
    a = float(paper_exponent)
    lo, hi = fit.interval
    if relation == ">=":
        margin = a - accept_tolerance - hi
        status = ("consistent" if hi <= a - accept_tolerance else "contradicted" if lo > a + tolerance
                  else "inconclusive")
        side = f"<= {_num(a)}"
    elif relation == "<=":
        margin = lo - a - accept_tolerance
        status = ("consistent" if lo >= a + accept_tolerance else "contradicted" if hi < a - tolerance
                  else "inconclusive")
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
    return Decision(status, "empirical", mpmath.mpf(margin), mpmath.mpf((hi - lo) / 2), None, statement,
                    "exponent")


def decide_trend(fit: ExponentFit | None, *, bound: float = 0.0, what: str = "quantity") -> Decision:
    """Empirical decision of "``what`` does not grow along the parameter": the fitted exponent
    of ``what`` in the parameter must be ``<= bound``.  ``contradicted`` when the whole
    interval lies above ``bound`` (a clear growth); ``consistent`` when it lies below or at
    ``bound``; otherwise ``inconclusive``.  Finitely many parameter values never prove
    uniformity; they can expose a dependence.
    """
    if fit is None:
        return Decision("inconclusive", "empirical", statement=f"too few points to fit a trend of the {what}",
                        margin_kind="exponent")
    lo, hi = fit.interval
    status = "consistent" if hi <= bound else "contradicted" if lo > bound else "inconclusive"
    return Decision(status, "empirical", mpmath.mpf(bound - hi), mpmath.mpf((hi - lo) / 2), None,
                    f"{status}: exponent of the {what} in the parameter {fit.slope:.3f} "
                    f"[{lo:.3f}, {hi:.3f}] ({fit.method}) against {_num(bound)}", "exponent")


def combine(decisions: Sequence[Decision]) -> Decision:
    """One decision from parts that must all hold (e.g. Theorem 5's inequalities and its
    trend): refuted/contradicted if any part is; accepted only if all are, with the weakest
    kind among the parts (empirical < checked < proved) and that kind's accepting status.

    >>> parts = [decide_proof([arb(1)], proves="a box"), decide_instances([arb(1)], drawn_from="1 draw")]
    >>> d = combine(parts); d.status, d.kind, d.instances
    ('checked', 'checked', 1)
    """
    decisions = list(decisions)
    if not decisions:
        raise ValueError("combine: no decision to combine")
    statement = "; ".join(d.statement for d in decisions if d.statement)
    for d in decisions:
        if d.status in REJECTED:
            return Decision(d.status, d.kind, d.margin, d.error, d.worst_index, statement, d.margin_kind,
                            d.instances, d.drawn_from)
    kind = min((d.kind for d in decisions), key=_STRENGTH.index)
    weakest = [d for d in decisions if d.kind == kind]
    checked = [d for d in decisions if d.kind == "checked"]
    instances = sum(d.instances or 0 for d in checked) or None
    drawn_from = "; ".join(d.drawn_from for d in checked if d.drawn_from)
    head = weakest[0]
    if all(d.status in ACCEPTED for d in decisions):
        status = {"proved": "proved", "checked": "checked", "empirical": "consistent"}[kind]
    else:
        status = "inconclusive"
    return Decision(status, kind, head.margin, head.error, head.worst_index, statement, head.margin_kind,
                    instances, drawn_from)


_STRENGTH = ("empirical", "checked", "proved")


def _num(x) -> str:
    x = float(x)
    return f"{x:g}"
