"""Zhou-Ge-Jin's hypotheses that a configuration must meet before a claim is evaluated at it
(:data:`HYPOTHESES`, declared by the paper record and its ``contrast`` part).

Zhou, Ge, Jin state every local result under Assumption 1 (the teachers are pairwise
Delta-separated, Delta > 0: no two teacher rows parallel) and Assumption 2
(0 < w_min <= ||w*_i||: no zero teacher row), for W in the sublevel set {L(W) <= eps0};
the lemmas whose scale is eps = L(W) also need L(W) > 0 (their margins are ratios to it).
The counterexample search and ``proofs-check replay`` call :func:`hypothesis_violations`
first (through :mod:`proofs_check.hypotheses`), so that a configuration outside a claim's hypotheses is reported as such instead
of as a counterexample (W = 0 for Theorem 4) or as a crash (L = 0, a zero teacher row).

The sublevel set is checked against the largest loss level the claim is sampled at (its
``levels``): the paper's eps0 is a hidden polynomial, far below any level we sample.

A claim names what it needs in an ``assumptions`` field of its settings dataclass (a tuple
of :data:`ASSUMPTIONS` keys); registered claims without one use :data:`REQUIRED` by id.

>>> from numeric.config import Configuration
>>> teacher_violations(Configuration([[1, 0], [2, 0]], [[1, 0], [0, 1]]))
['teacher rows 0 and 1 are parallel (angle 0): Assumption 1 needs Delta-separated teachers, Delta > 0']
>>> teacher_violations(Configuration([[0, 0]], [[1, 0]]))
['teacher row 0 is the zero vector: Assumption 2 needs ||w*_i|| >= w_min > 0']
"""
from __future__ import annotations

from fractions import Fraction

import flint

from numeric.config import Configuration
from numeric.precise import evaluate
from numeric.numbers import decimal_string
from proofs_check.paper import Hypotheses

__all__ = ["ASSUMPTIONS", "REQUIRED", "required_assumptions", "teacher_violations",
           "hypothesis_violations", "HYPOTHESES"]

#: Assumption keys and what they say.
ASSUMPTIONS = {
    "nonzero_teachers": "Assumption 2: every teacher row is non-zero (||w*_i|| >= w_min > 0)",
    "separated_teachers": "Assumption 1: no two teacher rows are parallel (Delta > 0)",
    "sublevel": "L(W) <= eps0 (checked against the claim's largest sampled loss level)",
    "positive_loss": "L(W) > 0 (the claim's scale eps = L(W) divides its margin)",
}

_TEACHERS = ("nonzero_teachers", "separated_teachers")
_LOCAL = _TEACHERS + ("sublevel",)
_EPSILON = _LOCAL + ("positive_loss",)

#: What each registered claim evaluated at a configuration needs (by claim id).
REQUIRED = {
    "zgj.thm4": _LOCAL,
    "zgj.lemma8": _EPSILON,
    "zgj.lemma9": _EPSILON,
    "zgj.lemma9.tight": _EPSILON,
    "zgj.lemma10": _EPSILON,
    "zgj.lemma12": _EPSILON,
    "zgj.lemmaC6": _EPSILON,
    "zgj.eps0": _TEACHERS,  # its eps0 is a power of Delta and w_min, both must be > 0
    "zgj.lemma14": ("nonzero_teachers",),  # Assumption 2; its L <= r^2 w_max^2 is not a level
    "zgj.lemmaC3": ("nonzero_teachers",),  # its T_i partition needs teacher directions
    "contrast.pl": _LOCAL,
    "contrast.strong_convexity": _LOCAL,
}


def required_assumptions(claim) -> tuple:
    """The assumption keys ``claim`` needs: its ``settings.assumptions``, else by id."""
    declared = getattr(claim.settings, "assumptions", None)
    names = tuple(REQUIRED.get(claim.id, ()) if declared is None else declared)
    unknown = [n for n in names if n not in ASSUMPTIONS]
    if unknown:
        raise ValueError(f"claim {claim.id}: unknown assumption(s) {unknown}; known: {sorted(ASSUMPTIONS)}")
    return names


def _parallel(a, b) -> bool:
    # Exactly, on the rationals: a x b = 0, i.e. a_k b_l = a_l b_k for every k < l.
    return all(a[k] * b[l] == a[l] * b[k] for k in range(len(a)) for l in range(k + 1, len(a)))


def teacher_violations(config: Configuration) -> list[str]:
    """Zero and parallel teacher rows (Assumptions 2 and 1), decided exactly."""
    out = [f"teacher row {i} is the zero vector: Assumption 2 needs ||w*_i|| >= w_min > 0"
           for i, row in enumerate(config.teacher) if not any(row)]
    rows = [(i, row) for i, row in enumerate(config.teacher) if any(row)]
    for n, (i, a) in enumerate(rows):
        for k, b in rows[n + 1:]:
            if _parallel(a, b):
                out.append(f"teacher rows {i} and {k} are parallel (angle 0): Assumption 1 needs "
                           "Delta-separated teachers, Delta > 0")
    return out


def hypothesis_violations(claim, config: Configuration, dps: int = 30, max_loss=None) -> list[str]:
    """Why ``config`` is outside the hypotheses ``claim`` needs (empty: it is inside).

    The sublevel set is ``L(W) <= max_loss`` (default: the claim's largest loss level).
    The loss conditions are decided by a python-flint ball at ``dps`` digits: ``L > max_loss``
    must be certain to count as outside, ``L > 0`` certain to count as inside.
    """
    needs = required_assumptions(claim)
    out = []
    if "nonzero_teachers" in needs or "separated_teachers" in needs:
        out += [v for v in teacher_violations(config)
                if ("zero vector" in v and "nonzero_teachers" in needs)
                or ("parallel" in v and "separated_teachers" in needs)]
    if out or not ({"sublevel", "positive_loss"} & set(needs)):
        return out
    with flint.ctx.workdps(dps):
        loss = evaluate(config, dps, backend="arb", gradient=False).loss
    levels = getattr(claim.settings, "levels", None)
    if "sublevel" in needs and (levels or max_loss is not None):
        top = Fraction(str(max_loss)) if max_loss is not None else max(Fraction(str(x)) for x in levels)
        if bool(loss > flint.arb(flint.fmpq(top.numerator, top.denominator))):
            out.append(f"L(W) = {decimal_string(loss, 6)} is above {float(top):.3g}, the largest loss "
                       f"level {claim.id} is checked at (--max-loss); the paper states it only for W in "
                       "the sublevel set L(W) <= eps0")
    if "positive_loss" in needs and not bool(loss > 0):
        out.append(f"L(W) = 0 to {dps} digits (|L(W)| <= {float(loss.rad()):.2g}): at a global minimum "
                   f"the scale eps = L(W) of {claim.id} vanishes and its margin is undefined")
    return out


#: The paper's hypotheses as its record declares them.
HYPOTHESES = Hypotheses(keys=ASSUMPTIONS, required=required_assumptions, violations=hypothesis_violations,
                        configuration=Configuration, of_configuration=teacher_violations)
