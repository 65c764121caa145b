"""Lemma 8 (Descent Direction), Zhou, Ge, Jin (COLT 2021), p.9 and p.21; App. B, p.18-19.

Under Assumptions 1 and 2 there is ``eps0 = poly(Delta, 1/r, 1/w_max, w_min)`` such that for
``eps := L(W) <= eps0``

    sum_i sum_{j in T_i} < grad_{w_j} L, (I + wbar_j wbar_j^T)^{-1}
                           (w_j - q_ij sgn(w_j.w*_i) w*_i) >  >=  L(W),

with App. B's weights ``q_ij = ||w_j|| / sum_{j' in T_i(delta_max)} ||w_j'||^2`` on
``T_i(delta_max)`` (else 0) and ``delta_max = C r w_max w_min^{-5/3} eps^{1/3}``.  ``C`` is
hidden; we take ``C = 1`` (``settings.C``) and use the configuration's own ``w_min``,
``w_max`` (the teacher norms).  The constant 1 on the right is the paper's.

The lemma is asserted only below ``eps0`` (a tiny poly, ~1e-70 by the proof's own
exponents); the verdict judges the levels ``<= settings.hypothesis_level`` (1e-4) and
reports the larger levels in the notes.  The variant with ``q_ij`` spread over all of
``T_i`` (``support = "all"``) is evaluated at each sample and summarised too.

Checked where the statement lives: besides sampled configurations at ``LEVELS`` (1e-2 ...
1e-8), Theorem 4's worst cases found by the level-set optimiser (the smallest ``||grad L||`` on
``{L = level}``, 1e-2 ... 1e-14, two shapes) and continued down to 1e-60
(:func:`proofs_check.claims.zgj.worst_cases.worst_case_ladder`); every instance decided on balls.

Measured (seed 0, ``run --claims zgj.lemma8``): the left side is ``~ 2L`` (it equals
``||R||^2 + E[R I_1]``, C.2) at every level, ``2.0 L`` at the worst cases down to 1e-60, with
``C = 1``.  The variant with ``q`` spread over all of ``T_i`` holds at the sampled points but
*fails* at the worst cases (``0.105 L`` from 1e-10 down: a stray student far from its teacher
takes weight).  With ``C = 0.1`` or smaller, ``T_i(delta_max)`` is empty for some teachers
(``q_ij = 0`` there) and the inequality fails by orders of magnitude: the lemma needs ``C`` at
least as large as Lemma 9's.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction

import mpmath

from numeric.decomposition import decompose, descent_inner_product
from numeric.precise import evaluate
from numeric.numbers import to_mpf
from proofs_check.claim import Claim
from proofs_check.verdict import Observation, ratio, as_ball
from proofs_check.claim_judgement import base_verdict, judge
from proofs_check.claims.zgj.worst_cases import WORST_CASE_SHAPES, observe_worst_case_ladder
from proofs_check.models.teacher_student.levels import LevelSettings, observe_levels
from proofs_check.judgement import decide_nothing, PaperStatement

__all__ = ["CLAIMS", "Lemma8Settings", "descent_at", "delta_max_of", "judge_below_level"]

LEVELS = (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8)


@dataclass(frozen=True)
class Lemma8Settings(LevelSettings):
    """``hypothesis_level``: the largest level judged (the lemma's ``L <= eps0``); ``C``: the
    hidden constant of ``delta_max``; ``support``: ``"delta_max"`` (App. B's ``q_ij``) or
    ``"all"`` (``q_ij`` spread over all of ``T_i``); ``worst_cases``: also observe Theorem 4's
    worst cases down to 1e-60 (:func:`proofs_check.claims.zgj.worst_cases.worst_case_ladder`)."""

    hypothesis_level: float = 1e-4
    C: Fraction = Fraction(1)
    support: str = "delta_max"
    worst_cases: bool = True


def delta_max_of(dec, L, C=1):
    """``delta_max = C r w_max w_min^{-5/3} L^{1/3}`` (an mpf; a set boundary, not a verdict)."""
    norms = [to_mpf(n.mid()) if hasattr(n, "mid") else mpmath.mpf(n) for n in dec.teacher_norms]
    Lm = to_mpf(L.mid()) if hasattr(L, "mid") else mpmath.mpf(L)
    C = Fraction(C)
    return (mpmath.mpf(C.numerator) / C.denominator * dec.config.r * max(norms) * min(norms) ** (-mpmath.mpf(5) / 3)
            * mpmath.cbrt(Lm))


def descent_at(claim, config, dps):
    dec = decompose(config, dps, "arb")
    L = evaluate(config, dps, backend="arb", gradient=False).loss
    dmax = delta_max_of(dec, L, claim.settings.C)
    support = claim.settings.support
    lhs, empty = descent_inner_product(dec, dmax, support)
    other, _ = descent_inner_product(dec, dmax, "all" if support != "all" else "delta_max")
    c = as_ball(claim.constant if claim.constant is not None else 1)
    return Observation(
        lhs=lhs, rhs=c * L, scale=L, dps=dps,
        witness={"delta_max": mpmath.nstr(dmax, 6), "empty_T_i_delta_max": empty,
                 "ratio_other_support": mpmath.nstr(to_mpf((other / L).mid()), 6)},
    )


def _level_summary(obs, key=lambda o: ratio(o)):
    rows = {}
    for o in obs:
        r = key(o)
        if r is None:
            continue
        r = to_mpf(r.mid()) if hasattr(r, "mid") else mpmath.mpf(r)
        rows.setdefault(o.group, []).append(r)
    return ", ".join(f"{mpmath.nstr(g, 2)}: {mpmath.nstr(min(v), 4)}" for g, v in sorted(rows.items(), reverse=True))


def judge_below_level(claim, obs, describe=None):
    """Judge the observations with ``group <= settings.hypothesis_level`` (the lemma's region
    ``L <= eps0``); report the others in the notes without letting them decide."""
    level = claim.settings.hypothesis_level
    inside = [o for o in obs if o.group is None or o.group <= level]
    outside = [o for o in obs if not (o.group is None or o.group <= level)]
    verdict = judge(claim, inside) if inside else base_verdict(
        claim, obs, decide_nothing(claim.kind, "no sample in the hypothesis region"))
    notes = [verdict.notes] if verdict.notes else []
    notes.append(f"judged on {len(inside)} samples with L <= {level:g} (the hypothesis region)")
    if outside:
        failing = [o for o in outside if bool(claim.margin(o) < 0)]
        notes.append(f"outside it ({len(outside)} samples at larger L): {len(failing)} certainly fail"
                     + (f" (levels {sorted({o.group for o in failing}, reverse=True)})" if failing else ""))
    notes.append("min lhs/rhs per level: " + _level_summary(obs))
    if describe:
        notes.append(describe(obs))
    return dataclasses.replace(verdict, notes="; ".join(notes), samples=len(obs))


def _observe(claim, request):
    """Sampled configurations at ``settings.levels``, then Theorem 4's worst cases found by the
    optimiser (1e-2 ... 1e-14) and continued down to 1e-60: the smallest gradients found, where
    the pairing with the gradient has the least room."""
    for o in observe_levels(claim, request):
        yield dataclasses.replace(o, witness={**o.witness, "origin": "sampled"})
    if claim.settings.worst_cases:
        yield from observe_worst_case_ladder(claim, request, WORST_CASE_SHAPES[:2])


def _judge(claim, obs):
    def other(obs):
        rows = {}
        for o in obs:
            rows.setdefault(o.group, []).append(mpmath.mpf(o.witness["ratio_other_support"]))
        empty = sum(1 for o in obs if o.witness.get("empty_T_i_delta_max"))
        name = "all of T_i" if claim.settings.support != "all" else "T_i(delta_max)"
        return (f"variant q_ij over {name}: min lhs/L per level "
                + ", ".join(f"{mpmath.nstr(g, 2)}: {mpmath.nstr(min(v), 4)}" for g, v in sorted(rows.items(), reverse=True))
                + f"; samples with an empty T_i(delta_max): {empty}; C = {claim.settings.C} in delta_max")
    return judge_below_level(claim, obs, other)


LEMMA8 = Claim(
    screenable=False,  # its ``at`` picks from a midpoint (see Claim.screenable)
    id="zgj.lemma8",
    title="Descent direction (Lemma 8)",
    source="Zhou, Ge, Jin (COLT 2021), Lemma 8, p.9 and p.21; q_ij from App. B, p.18",
    statement=r"\sum_{i=1}^r\sum_{j\in T_i}\big\langle\nabla_{w_j}L(W),(I+\bar w_j\bar w_j^\top)^{-1}"
              r"\big(w_j-q_{ij}\,\mathrm{sgn}(w_j^\top w_i^*)\,w_i^*\big)\big\rangle\ \ge\ L(W)",
    hypotheses=r"Assumptions 1, 2; $L(W)=\epsilon\le\epsilon_0$; $q_{ij}=\|w_j\|/\sum_{j'\in T_i(\delta_{\max})}\|w_{j'}\|^2$ "
               r"on $T_i(\delta_{\max})$, else 0; $\delta_{\max}=C r w_{\max}w_{\min}^{-5/3}\epsilon^{1/3}$, $C=1$",
    lhs=r"\sum_i\sum_{j\in T_i}\langle\nabla_{w_j}L,(I+\bar w_j\bar w_j^\top)^{-1}(w_j-q_{ij}\mathrm{sgn}(w_j^\top w_i^*)w_i^*)\rangle",
    rhs=r"L(W)",
    relation=">=",
    expected="checked",
    kind="checked",
    paper=PaperStatement("holds", "constant 1: pairing >= L"),
    drawn_from="random configurations at loss levels 1e-2 ... 1e-8 (level sampler) and Theorem 4's worst cases found by the optimiser at 1e-2 ... 1e-14, continued to 1e-20 ... 1e-60",
    observe=_observe,
    at=descent_at,
    judge=_judge,
    constant=Fraction(1),
    paper_exponent=Fraction(1),
    default_samples=24,
    settings=Lemma8Settings(levels=LEVELS),
    paper_constant="1 (given); C in delta_max hidden (C = 1 used)",
)

CLAIMS = (LEMMA8,)
