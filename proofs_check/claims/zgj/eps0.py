"""The threshold eps0 of Theorems 4 and 5, Zhou, Ge, Jin (COLT 2021), p.6; explicit in the
proof of Lemma 8, p.21:

    eps0 = O(Delta^36 w_min^80 r^-162 w_max^-78)

(the hidden constant is set to 1 here, and labelled so).  Below eps0 Theorem 4 asserts
``||grad L||_F >= kappa L`` with ``kappa = Theta(r^-1/2 w_max^-1/2)`` (constant 1 here too),
so in particular there is no stationary point with ``0 < L <= eps0``.

The real threshold of a teacher geometry lies between two numbers:

* ``upper``: the loss of the lowest **certified** spurious stationary point found by the
  hunt (:mod:`proofs_check.landscape`: Krawczyk on balls).  At that exact point
  ``||grad L|| = 0 < kappa L``, so no threshold at or above it can hold: a certified bound;
* ``lower``: the **optimiser scan**, the largest scanned level at and below which the
  margin optimiser (:func:`proofs_check.worst_case.minimise_margin`, minimising
  ``||grad L|| / (kappa L)`` on ``{L = level}``) found no violation: empirical, not a bound
  (an optimiser is not a proof).  A proved lower bound comes from the branch and bound of
  ``proofs-check threshold --prove`` (:mod:`proofs_check.threshold`).

Verdict, per geometry, then over all (refuted if any is, consistent if all are):

* ``refuted`` (certified): a certified spurious stationary point with loss certainly
  ``<= eps0``, or a configuration with ``L <= eps0`` and ``||grad L|| < kappa L``, both
  enclosed by balls (from the optimiser or from samples at level eps0);
* ``consistent`` (empirical): eps0 below the optimiser scan's level (and below ``upper``), and every sample at
  level eps0 satisfies Theorem 4's inequality by balls;
* ``inconclusive`` otherwise.

Planted false twins set eps0 just above ``upper`` (``Eps0Settings.eps0_over_upper``); they
are refuted by the certified stationary point itself.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import flint
import mpmath
import numpy as np
from flint import arb

from numeric.config import Configuration
from numeric.numbers import decimal_string, to_mpf
from proofs_check.claim import Claim
from proofs_check.verdict import Observation, as_ball
from proofs_check.claim_judgement import base_verdict
from proofs_check.models.teacher_student.gradient_norm import loss_and_gradient_norm
from proofs_check.errors import UsageError
from proofs_check.judgement import decide_threshold, PaperStatement
from proofs_check.models.teacher_student.samplers import configuration_at_level, random_spec

__all__ = ["CLAIMS", "EPS0", "paper_eps0", "Geometry", "geometries", "theorem4_at", "optimiser_worst_case",
           "optimiser_holds_at"]

#: Levels of the optimiser's scan, and fractions of ``upper`` added to it.
DEFAULT_LEVELS = (1e-6, 1e-3, 1e-2)
DEFAULT_UPPER_FRACTIONS = (0.5, 0.8, 0.9, 0.95)


def paper_eps0(Delta, w_min, w_max, r, dps: int = 30):
    """``Delta^36 w_min^80 r^-162 w_max^-78`` (constant 1) as an mpf.

    >>> float(mpmath.log10(paper_eps0(mpmath.pi / 2, 1, 1, 3)))  # doctest: +ELLIPSIS
    -70.2...
    """
    with mpmath.workdps(dps):
        return (mpmath.mpf(Delta) ** 36 * mpmath.mpf(w_min) ** 80
                * mpmath.mpf(r) ** -162 * mpmath.mpf(w_max) ** -78)


@dataclass(frozen=True)
class Eps0Settings:
    """The knobs of the eps0 check.

    ``orthogonal_r``/``separated``: the geometries; ``kappa_constant``: the constant of
    ``kappa = c r^-1/2 w_max^-1/2``; ``eps0_constant``: eps0's hidden constant;
    ``eps0_over_upper``: for twins, eps0 := this factor (a decimal string) times the
    midpoint of ``upper``; ``hunt_students`` (None: ``r + 1``), ``hunt_starts``,
    ``hunt_budget`` (seconds, a safety net: the start count decides what is found, so a
    seed fixes the verdict): the hunt; ``levels`` and ``upper_fractions``: the optimiser's
    scan; ``starts_per_family``, ``worst_case_budget``: the optimiser; ``eps0_samples``:
    sampled configurations at level eps0 per geometry.
    """

    orthogonal_r: tuple = (2, 3)
    separated: bool = True
    kappa_constant: Fraction = Fraction(1)
    eps0_constant: Fraction = Fraction(1)
    eps0_over_upper: str | None = None
    hunt_students: int | None = None
    hunt_starts: int = 160
    hunt_budget: float = 600.0
    levels: tuple = DEFAULT_LEVELS
    upper_fractions: tuple = DEFAULT_UPPER_FRACTIONS
    starts_per_family: int = 1
    worst_case_budget: float | None = None
    eps0_samples: int = 2


@dataclass(frozen=True)
class Geometry:
    """A teacher set with its Assumption 1-2 parameters."""

    label: str
    teacher: tuple
    Delta: float
    w_min: float
    w_max: float

    @property
    def r(self) -> int:
        return len(self.teacher)


def geometries(claim) -> list:
    """Orthogonal unit teachers (``r`` from ``settings.orthogonal_r``, default 2 and 3) and
    two teachers at angle 0.6 with norms 1.1 and 0.7 in ``R^3`` (``settings.separated``)."""
    out = []
    for r in claim.settings.orthogonal_r:
        out.append(Geometry(f"{r} orthogonal unit teachers", tuple(map(tuple, np.eye(r).tolist())),
                            math.pi / 2, 1.0, 1.0))
    if claim.settings.separated:
        T = ((1.1, 0.0, 0.0), (0.7 * math.cos(0.6), 0.7 * math.sin(0.6), 0.0))
        out.append(Geometry("2 teachers at angle 0.6, norms 1.1 and 0.7", T, 0.6, 0.7, 1.1))
    return out


def _kappa(config: Configuration, claim) -> arb:
    """``kappa = c r^-1/2 w_max^-1/2`` with ``c = settings.kappa_constant`` (default 1)."""
    w_max = max(math.sqrt(sum(float(x) ** 2 for x in row)) for row in config.teacher)
    c = as_ball(Fraction(claim.settings.kappa_constant))
    return c / arb.sqrt(as_ball(config.r) * as_ball(w_max))


def theorem4_at(claim, config, dps):
    """``||grad L||_F`` against ``kappa L`` at ``config`` (balls)."""
    L, gnorm = loss_and_gradient_norm(config, dps)
    return Observation(lhs=gnorm, rhs=_kappa(config, claim) * L, scale=L, dps=dps)


def _hunt(claim, geometry, seed):
    from proofs_check.landscape import HuntSettings
    from proofs_check.models.teacher_student.hunt import hunt

    m = claim.settings.hunt_students or geometry.r + 1
    # The budget is a safety net only: the number of starts, not the clock, decides what is
    # found, so the same seed gives the same verdict on a loaded machine.
    settings = HuntSettings(students=m, starts=claim.settings.hunt_starts, seed=seed,
                            budget=claim.settings.hunt_budget)
    return hunt(geometry.teacher, settings)


def optimiser_holds_at(teacher, m, level, seed) -> bool:
    """Whether Theorem 4's inequality holds (by balls) at the margin optimiser's worst case on
    ``{L = level}`` (:func:`optimiser_worst_case` of :data:`EPS0`): the scan of
    ``proofs-check threshold`` (``Paper.threshold.holds_at``)."""
    wc = optimiser_worst_case(EPS0, teacher, m, level, seed)
    obs = EPS0.observe_at(wc.config, wc.dps)
    return bool(obs.lhs >= obs.rhs)


def optimiser_worst_case(claim, teacher, m, level, seed):
    """The margin optimiser's worst case of Theorem 4's inequality on ``{L = level}``
    (minimising ``||grad L|| / (kappa L)``): an empirical search, not a proof."""
    from proofs_check.worst_case import WorstCaseSettings, minimise_margin

    settings = WorstCaseSettings(starts_per_family=claim.settings.starts_per_family,
                                 objective="gradient_norm", seed=seed,
                                 budget=claim.settings.worst_case_budget)
    return minimise_margin(claim, np.array(teacher, dtype=float), students=m, level=level, settings=settings)


def _optimiser(claim, geometry, m, level, seed):
    return optimiser_worst_case(claim, geometry.teacher, m, level, seed)


def _observe(claim, request):
    """Per geometry: the lowest certified spurious stationary point, the optimiser's worst
    case at each scanned level below it, and samples at level eps0."""
    for geometry in geometries(claim):
        result = _hunt(claim, geometry, request.seed)
        low = result.lowest_spurious
        request.tick()
        upper = None
        if low is not None:
            p = result.points[low]
            upper = p.loss
            with flint.ctx.workdps(40):
                rhs = _kappa(p.config, claim) * p.loss
            yield Observation(lhs=arb(0), rhs=rhs, scale=p.loss, dps=40, group=geometry.label, witness={
                "kind": "stationary", "geometry": geometry.label, "config": p.config.to_dict(digits=40),
                "loss": decimal_string(p.loss, 25), "radius": mpmath.nstr(mpmath.mpf(p.radius), 3),
                "point_kind": p.point_type, "classification": p.classification,
                "hunt": {"students": result.students, "starts": result.starts_run,
                         "distinct_points": len(result.points)}})
        eps0 = _eps0(claim, geometry, upper)
        m = result.students
        levels = list(claim.settings.levels)
        if upper is not None:
            u = float(to_mpf(upper.mid()))
            levels += [f * u for f in claim.settings.upper_fractions]
            levels = [lv for lv in levels if lv < u]
        for level in sorted(set(levels)):
            try:
                wc = _optimiser(claim, geometry, m, level, request.seed)
            except UsageError:
                continue
            obs = claim.observe_at(wc.config, wc.dps)
            request.tick()
            yield Observation(lhs=obs.lhs, rhs=obs.rhs, scale=obs.scale, dps=wc.dps, group=geometry.label,
                              witness={"kind": "optimiser", "level": mpmath.nstr(level, 6),
                                       "geometry": geometry.label, "family": wc.family,
                                       "config": wc.config.to_dict()})
        rng = request.rng(claim.id + geometry.label)
        for k in range(claim.settings.eps0_samples):
            spec = random_spec(rng, geometry.r, m, len(geometry.teacher[0]),
                               teacher=geometry.teacher, family=("random", "claim2")[k % 2])
            try:
                s = configuration_at_level(spec, eps0)
            except UsageError:
                continue
            obs = claim.observe_at(s.config, s.dps)
            request.tick()
            yield Observation(lhs=obs.lhs, rhs=obs.rhs, scale=obs.scale, dps=s.dps, group=geometry.label,
                              witness={"kind": "eps0", "level": mpmath.nstr(eps0, 6), "geometry": geometry.label,
                                       "family": spec.family, "config": s.config.to_dict()})


def _mpf(x):
    x = Fraction(x)
    return mpmath.mpf(x.numerator) / x.denominator


def _eps0(claim, geometry, upper):
    """The claimed threshold: the paper's (times ``eps0_constant``), or for a planted twin
    ``eps0_over_upper`` times the midpoint of ``upper``."""
    factor = claim.settings.eps0_over_upper
    if factor is not None and upper is not None:
        with mpmath.workdps(40):
            return to_mpf(upper.mid()) * mpmath.mpf(factor)
    return paper_eps0(geometry.Delta, geometry.w_min, geometry.w_max, geometry.r) \
        * _mpf(claim.settings.eps0_constant)


def _lower(optimiser: list):
    """The largest level at and below which every optimiser worst case satisfies
    ``||grad L|| >= kappa L`` by balls (None if the lowest level already fails)."""
    lower = None
    for o in sorted(optimiser, key=lambda o: float(o.witness["level"])):
        if not o.lhs >= o.rhs:
            break
        lower = mpmath.mpf(o.witness["level"])
    return lower


def _judge(claim, obs):
    per_geometry, notes = [], []
    refuted = counter = None
    all_consistent = True
    min_margin = worst = None
    geos = {g.label: g for g in geometries(claim)}
    for label in dict.fromkeys(o.group for o in obs):
        group = [o for o in obs if o.group == label]
        stationary = [o for o in group if o.witness["kind"] == "stationary"]
        optimiser = [o for o in group if o.witness["kind"] == "optimiser"]
        at_eps0 = [o for o in group if o.witness["kind"] == "eps0"]
        upper = stationary[0].scale if stationary else None
        eps0 = _eps0(claim, geos[label], upper) if label in geos else mpmath.mpf(group[0].witness.get("level", 0))
        eps0_ball = as_ball(eps0)
        lower = _lower(optimiser)
        status = None
        if upper is not None and upper < eps0_ball:
            status, why = "refuted", stationary[0].witness
            notes.append(f"{label}: the certified stationary point with L = {decimal_string(upper, 12)} "
                         f"lies below the claimed eps0 = {mpmath.nstr(eps0, 12)}")
        for o in optimiser + at_eps0:
            # The reported margin is Theorem 4's at the samples where the claim is asserted
            # (L <= eps0); the optimiser's levels above the threshold fail on purpose.
            if o.scale <= eps0_ball:
                with flint.ctx.workdps(max(o.dps, 15)):
                    margin = o.lhs / o.rhs - 1
                if min_margin is None or to_mpf(margin.mid()) < to_mpf(min_margin.mid()):
                    min_margin, worst = margin, o.witness
            if status is None and o.scale <= eps0_ball and o.lhs < o.rhs:
                status, why = "refuted", o.witness
                notes.append(f"{label}: at a configuration with L = {decimal_string(o.scale, 8)} <= eps0, "
                             f"||grad L|| < kappa L by balls ({o.witness['kind']})")
        samples_ok = all(o.lhs > o.rhs for o in at_eps0)
        below_upper = upper is None or eps0_ball < upper
        if status is None:
            status = "consistent" if (lower is not None and eps0 < lower and samples_ok and below_upper) \
                else "inconclusive"
        if status == "refuted" and refuted is None:
            refuted, counter = True, why
        all_consistent &= status == "consistent"
        per_geometry.append({
            "geometry": label,
            "teacher": [[mpmath.nstr(x, 17) for x in row] for row in geos[label].teacher] if label in geos else None,
            "paper_eps0": mpmath.nstr(eps0, 6),
            "upper": None if upper is None else decimal_string(upper, 20),
            "lower": None if lower is None else mpmath.nstr(lower, 6),
            "lower_kind": "optimiser scan (empirical, not a bound)",
            "witness": stationary[0].witness["config"] if stationary else None,
            "status": status,
        })
        notes.append(f"{label}: eps0 = {mpmath.nstr(eps0, 4)} (constant 1); real threshold at most "
                     f"{'-' if upper is None else decimal_string(upper, 8)} (certified stationary point); "
                     f"optimiser scan: no violation found up to {'-' if lower is None else mpmath.nstr(lower, 4)} "
                     f"(empirical, not a bound)")
    status = "refuted" if refuted else ("consistent" if all_consistent and per_geometry else "inconclusive")
    figure = {
        "paper_eps0": [g["paper_eps0"] for g in per_geometry],
        "empirical": [g["upper"] or g["lower"] or "1" for g in per_geometry],
        "labels": [g["geometry"] for g in per_geometry],
        "lower": [g["lower"] for g in per_geometry],
        "upper": [g["upper"] for g in per_geometry],
        "witness": [g["witness"] for g in per_geometry],
        "thresholds": per_geometry,
    }
    shown = {"refuted": "a certified configuration below the claimed eps0 violates Theorem 4 "
                        "(a spurious stationary point or ||grad L|| < kappa L, by balls)",
             "consistent": "the claimed eps0 lies below the optimiser scan's level (no violation found "
                           "there; empirical, not a bound) in every geometry, and Theorem 4 holds at the "
                           "samples at eps0",
             "inconclusive": "the claimed eps0 is not below the optimiser scan's level in every geometry"}[status]
    decision = decide_threshold(counterexample_below=bool(refuted),
                                below_lower_bound_everywhere=bool(all_consistent and per_geometry),
                                margin=min_margin, statement=shown)
    return base_verdict(claim, obs, decision, worst=counter if counter else worst,
                        counterexample=counter, notes="; ".join(notes), figures={"threshold": figure})


EPS0 = Claim(
    id="zgj.eps0",
    title="The threshold eps0 below which Theorem 4 holds",
    source="Zhou, Ge, Jin (COLT 2021), Theorems 4-5 p.6; explicit value in the proof of Lemma 8, p.21",
    statement=r"\epsilon_0=\Delta^{36}w_{\min}^{80}r^{-162}w_{\max}^{-78}\ (\text{constant }1):\ "
              r"\|\nabla L(W)\|_F\ge\kappa L(W)\ \text{for } L(W)\le\epsilon_0,\ "
              r"\kappa=r^{-1/2}w_{\max}^{-1/2},\ \text{so no stationary point has } 0<L\le\epsilon_0",
    hypotheses=r"Assumptions 1, 2; $m\ge r$",
    lhs=r"\|\nabla_W L(W)\|_F",
    rhs=r"\kappa\,L(W)",
    relation=">=",
    expected="consistent",
    kind="empirical",
    paper=PaperStatement("holds", "Theorem 4 holds for L <= eps0 (constant 1)"),
    observe=_observe,
    at=theorem4_at,
    judge=_judge,
    default_samples=30,
    settings=Eps0Settings(),
    paper_constant=r"$\epsilon_0=O(\Delta^{36}w_{\min}^{80}r^{-162}w_{\max}^{-78})$ and "
                   r"$\kappa=\Theta(r^{-1/2}w_{\max}^{-1/2})$, constants set to 1",
)

CLAIMS = (EPS0,)
