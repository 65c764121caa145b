"""Turning a claim's observations into a :class:`~proofs_check.verdict.Verdict`: the default
judgement (instance by instance for explicit constants, the fitted exponent for hidden ones,
certified digits for identities) and the helpers claims with a judgement of their own use.
The decision itself is :mod:`proofs_check.judgement`'s; see :mod:`proofs_check.claim` for the
conventions.
"""
from __future__ import annotations

from fractions import Fraction

import flint
import mpmath

from numeric.numbers import to_mpf
from proofs_check.judgement import (Decision, ExponentFit, decide_identity, decide_instances, decide_nothing,
                                    decide_proof, decide_shape, fit_exponent)
from proofs_check.verdict import Estimate, Verdict, as_ball, ratio

__all__ = ["base_verdict", "judge", "judge_each", "judge_proof", "instances_drawn", "margin_kind_of",
           "lower_is_worse", "exponent_fit"]


def base_verdict(claim: "Claim", obs: list, decision: Decision, *, worst=None, counterexample=None,
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


def judge(claim: "Claim", obs: list) -> Verdict:
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


def judge_each(claim: "Claim", obs: list) -> Verdict:
    """Judge every observation on its own margin (no exponent fit), at the observations'
    precision: for claims whose constants are all explicit, whatever ``claim.constant`` says."""
    with flint.ctx.workdps(max((o.dps for o in obs), default=15)):
        return _judge_known_constant(claim, obs)


def instances_drawn(claim: "Claim", obs: list) -> str:
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


def judge_proof(claim: "Claim", obs: list, proves: str) -> Verdict:
    """A ``proved`` claim: the observations' margins, all certainly positive, together prove
    the statement ``proves`` describes (boxes covering a region, Krawczyk certificates); see
    :func:`~proofs_check.judgement.decide_proof`."""
    with flint.ctx.workdps(max((o.dps for o in obs), default=15)):
        decision = decide_proof([claim.margin(o) for o in obs], proves=proves, margin_kind=margin_kind_of(obs))
    i = decision.worst_index if decision.worst_index is not None else 0
    return base_verdict(claim, obs, decision, worst=obs[i].witness if obs else None,
                        counterexample=obs[i].witness if decision.status == "refuted" else None,
                        estimate=_constant_estimate(claim, obs) if obs else None)


def lower_is_worse(claim) -> bool:
    """Whether the binding observation of ``claim`` is its smallest ratio ``lhs / rhs`` (lower
    bounds and two-sided claims) rather than its largest (upper bounds); ``claim.fit.binding``
    overrides."""
    if claim.fit.binding != "auto":
        return claim.fit.binding == "smallest"
    return claim.relation in (">=", "Theta")


def _constant_estimate(claim, obs) -> Estimate:
    ratios = [r for r in (ratio(o) for o in obs) if r is not None]
    if not ratios:
        return Estimate(paper_exponent=claim.paper_exponent, note="rhs vanishes; no ratio")
    pick = min if lower_is_worse(claim) else max
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
    sign = 1 if lower_is_worse(claim) else -1
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
    pick = min if lower_is_worse(claim) else max
    ratios = [(r, o) for r, o in ((ratio(o), o) for o in obs) if r is not None]
    worst_obs = pick(ratios, key=lambda t: to_mpf(t[0].mid()))[1] if ratios else obs[0]
    return base_verdict(
        claim, obs, decision, worst=worst_obs.witness, estimate=est,
        counterexample=worst_obs.witness if decision.status == "contradicted" else None,
        notes="constant hidden in O/Theta: judged on the exponent; the constant is estimated",
    )
