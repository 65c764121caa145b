"""Branch and bound on boxes with balls: prove ``f <= 0`` on a rectangle, or find where it fails.

A box is certified when the mean-value form

    f(box) subset f(center) + sum_i [df/dx_i](box) * [-w_i/2, w_i/2]

is certainly negative, the partial derivatives being enclosed over the whole box.  The mean-value
form is what makes this work where ``f`` is a difference of nearly equal terms (the naive
interval evaluation loses the cancellation; the derivative's enclosure does not need it).  Boxes
that straddle 0 are split in two across the side that contributes most to the enclosure's width,
until a budget of boxes is spent.  A center where ``f`` is certainly positive is a certified
counterexample and stops the search.

>>> from fractions import Fraction
>>> f = lambda x: interval(x[0], x[0]) ** 2 + interval(x[1], x[1]) ** 2 - 1  # x^2 + y^2 - 1 <= 0 ...
>>> grad = lambda box: [2 * box[0], 2 * box[1]]                   # ... on [0, 0.7]^2
>>> result = certify_nonpositive(f, grad, ((Fraction(0), Fraction(7, 10)), (Fraction(0), Fraction(7, 10))))
>>> result.status, result.undecided
('certified', ())
>>> certify_nonpositive(f, grad, ((Fraction(0), Fraction(1)), (Fraction(0), Fraction(1)))).status
'refuted'
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Sequence

import flint
from flint import arb, fmpq

__all__ = ["SubdivisionResult", "certify_nonpositive", "interval"]


def interval(lo: Fraction, hi: Fraction) -> arb:
    """The ball covering ``[lo, hi]`` (exact rational end points)."""
    return arb(fmpq(lo.numerator, lo.denominator)).union(arb(fmpq(hi.numerator, hi.denominator)))


@dataclass(frozen=True)
class SubdivisionResult:
    """``certified``: boxes on which ``f < 0`` is proved; ``undecided``: the remainder when the
    budget ran out; ``counterexample``: a point with ``f`` certainly ``> 0`` and its value;
    ``evaluations``: point evaluations of ``f`` (the work done)."""

    certified: tuple
    undecided: tuple
    counterexample: tuple | None
    evaluations: int
    worst_certified: arb | None  # the largest upper end of f over the certified boxes

    @property
    def status(self) -> str:
        if self.counterexample is not None:
            return "refuted"
        return "certified" if not self.undecided else "inconclusive"

    def area(self, boxes) -> Fraction:
        total = Fraction(0)
        for box in boxes:
            size = Fraction(1)
            for lo, hi in box:
                size *= hi - lo
            total += size
        return total


def certify_nonpositive(value_at: Callable[[tuple], arb], gradient_on: Callable[[Sequence[arb]], Sequence[arb]],
                        box: tuple, *, max_boxes: int = 4000, dps: int = 30) -> SubdivisionResult:
    """Prove ``value_at(x) <= 0`` on ``box`` (a tuple of ``(lo, hi)`` Fraction pairs).

    ``value_at(point)`` takes a tuple of Fractions and returns a ball; ``gradient_on(balls)``
    takes one ball per coordinate (the box) and returns the partial derivatives enclosed over it.
    Work happens at ``dps`` digits (``flint.ctx.workdps``).
    """
    certified, undecided = [], []
    evaluations = 0
    worst = None
    stack = [tuple((Fraction(lo), Fraction(hi)) for lo, hi in box)]
    with flint.ctx.workdps(dps):
        while stack:
            current = stack.pop()
            center = tuple((lo + hi) / 2 for lo, hi in current)
            f_center = value_at(center)
            evaluations += 1
            if f_center > 0:
                return SubdivisionResult(tuple(certified), tuple(undecided + stack + [current]),
                                         (center, f_center), evaluations, worst)
            grads = gradient_on([interval(lo, hi) for lo, hi in current])
            halves = [interval(-(hi - lo) / 2, (hi - lo) / 2) for lo, hi in current]
            enclosure = f_center + sum((g * h for g, h in zip(grads, halves)), arb(0))
            if enclosure < 0:
                certified.append(current)
                upper = arb(enclosure.upper())
                worst = upper if worst is None or upper > worst else worst
                continue
            if len(certified) + len(undecided) + len(stack) >= max_boxes:
                undecided.append(current)
                continue
            # Split across the side contributing most to the enclosure's width.
            k = max(range(len(current)), key=lambda i: float((abs(grads[i]) * halves[i].rad()).upper()))
            lo, hi = current[k]
            mid = (lo + hi) / 2
            for part in ((lo, mid), (mid, hi)):
                stack.append(tuple(part if i == k else side for i, side in enumerate(current)))
    return SubdivisionResult(tuple(certified), tuple(undecided), None, evaluations, worst)
