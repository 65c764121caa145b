"""Hypothesis strategies for the sublevel set ``{W : L(W) <= max_loss}``.

Public, composable values, built from smaller ones; every number is drawn by Hypothesis,
so failing examples shrink (towards few teachers, simple directions, larger losses):

* :func:`teachers` -- ``Delta``-separated teacher rows with norms in ``[w_min, w_max]``;
* :func:`sublevel_specs` -- a :class:`~proofs_check.models.teacher_student.samplers.SublevelSpec` (split of the
  students over the teachers, shares, signs, directions, strays, family);
* :func:`samples` -- a spec placed at a drawn loss level (a :class:`~proofs_check.models.teacher_student.samplers.Sample`,
  carrying the precision ``dps`` the level needs);
* :func:`configurations` -- the :class:`~numeric.config.Configuration` of such a sample;
* :func:`degenerate_configurations` -- the same, restricted to the degenerate directions:
  Claim 2's rotated pairs, stray small students, strongly imbalanced shares;
* :func:`search_samples` -- what ``proofs-check search`` draws: samples of given shapes,
  widened (``m`` up to ``8 r``), with harder teachers (small ``Delta``, unequal norms) and
  relaxed specs.

Paste into a test of your own::

    from hypothesis import given, settings
    from proofs_check.models.teacher_student.strategies import configurations
    from numeric.precise import evaluate

    @settings(max_examples=20, deadline=None)
    @given(configurations(r=3, m=5, d=4, max_loss=1e-6))
    def test_loss_is_small(config):
        assert evaluate(config, 40).loss < 1.001e-6

A drawn level the spec's path cannot reach is rejected (``hypothesis.reject``); the level is
drawn log-uniformly in ``[min_loss, max_loss]`` with ``min_loss = max_loss * 1e-3`` unless
given, and kept a little below ``max_loss`` so that the placed loss (solved to a relative
``1e-4``) is in the sublevel set.

>>> from hypothesis import find
>>> T = find(teachers(2, 3, Delta=0.5), lambda t: True)  # doctest: +SKIP
>>> len(T), len(T[0])  # doctest: +SKIP
(2, 3)
"""
from __future__ import annotations

import math

import mpmath
from hypothesis import assume, reject
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from proofs_check.errors import UsageError
from proofs_check.models.teacher_student.samplers import FAMILIES, configuration_at_level, make_spec, up_to_sign_angle

__all__ = [
    "teachers",
    "sublevel_specs",
    "samples",
    "configurations",
    "degenerate_configurations",
    "search_samples",
]

#: Level placement solves ``L = level`` to this relative accuracy; levels are drawn below
#: ``max_loss / (1 + _PLACEMENT_SLACK)`` so that every drawn configuration is in the set.
_PLACEMENT_SLACK = 1e-3


def _strategy(x) -> SearchStrategy:
    return x if isinstance(x, SearchStrategy) else st.just(x)


def _coordinates(d: int, bound: float = 1.0):
    return st.lists(st.floats(-bound, bound, allow_nan=False, allow_infinity=False),
                    min_size=d, max_size=d)


@st.composite
def teachers(draw, r, d, Delta=0.5, w_min=0.8, w_max=1.2, tight=False):
    """``r`` teacher rows in ``R^d``: pairwise up-to-sign angle ``>= Delta``, norms in
    ``[w_min, w_max]`` (Assumptions 1 and 2).  ``r`` and ``d`` may be ints or strategies.
    With ``tight=True`` (and ``r >= 2``, ``d >= 2``) the second row is at angle exactly
    ``Delta`` from the first: the separation is attained, not only allowed.

    Returns a tuple of ``r`` tuples of ``d`` floats.  Draws whose directions are too close
    (or zero) are rejected; with ``Delta`` near ``pi/2`` and ``r`` near ``d`` most draws are,
    so keep ``Delta`` moderate there.
    """
    r, d = draw(_strategy(r)), draw(_strategy(d))
    if not (0 < w_min <= w_max) or not math.isfinite(w_max):
        raise UsageError(f"norm bounds w_min = {w_min}, w_max = {w_max} need 0 < w_min <= w_max")
    if not (0 <= Delta <= math.pi / 2):
        raise UsageError(f"Delta = {Delta} must lie in [0, pi/2] (the up-to-sign angle)")
    rows = []
    for i in range(r):
        v = draw(_coordinates(d))
        n = math.sqrt(sum(x * x for x in v))
        assume(n > 1e-3)
        if tight and i == 1 and d >= 2:
            # v's component orthogonal to the first row sets the plane of the pair.
            a = [x / math.sqrt(sum(y * y for y in rows[0])) for x in rows[0]]
            c = sum(x * y for x, y in zip(v, a))
            e = [x - c * y for x, y in zip(v, a)]
            en = math.sqrt(sum(x * x for x in e))
            assume(en > 1e-3)
            v = [math.cos(Delta) * x + math.sin(Delta) * y / en for x, y in zip(a, e)]
        assume(all(up_to_sign_angle(v, w) >= Delta * (1 - 1e-9) for w in rows))
        rows.append(v)
    norms = [draw(st.floats(w_min, w_max)) for _ in range(r)]
    return tuple(tuple(x * s / math.sqrt(sum(y * y for y in v)) for x in v)
                 for v, s in zip(rows, norms))


@st.composite
def sublevel_specs(draw, r, m, d, families=FAMILIES, Delta=0.5, w_min=0.8, w_max=1.2,
                   shares=st.floats(0.05, 1.0), teacher=None, relax=False):
    """A :class:`~proofs_check.models.teacher_student.samplers.SublevelSpec` with ``r`` teachers and ``m`` students.

    Composed of: ``teacher`` (default :func:`teachers`), the family (from ``families``),
    the number of stray students (family ``"stray"``: 1 to ``m - r``), a split of the other
    students over the teachers (every teacher gets one; the rest are drawn), raw shares from
    ``shares`` (normalised per group; family ``"claim2"`` uses balanced shares), signs and
    perturbation directions; with ``relax=True`` also whether the other students are
    re-fitted around the perturbation.  The parts are assembled by
    :func:`proofs_check.models.teacher_student.samplers.make_spec`, as :func:`proofs_check.models.teacher_student.samplers.random_spec` does.
    """
    r, m, d = draw(_strategy(r)), draw(_strategy(m)), draw(_strategy(d))
    if m < r:
        raise UsageError(f"m = {m} students cannot cover r = {r} teachers (need m >= r)")
    T = draw(teachers(r, d, Delta, w_min, w_max)) if teacher is None else draw(_strategy(teacher))
    family = draw(st.sampled_from(tuple(families)))
    n_stray = draw(st.integers(1, m - r)) if family == "stray" and m > r else 0
    if family == "stray" and n_stray == 0:
        family = "random"
    extra = draw(st.lists(st.integers(0, r - 1), min_size=m - r - n_stray, max_size=m - r - n_stray))
    assignment = draw(st.permutations(list(range(r)) + extra + [-1] * n_stray))
    raw = [draw(_strategy(shares)) for _ in range(m)]
    signs = draw(st.lists(st.sampled_from((1, -1)), min_size=m, max_size=m))
    directions = draw(st.lists(_coordinates(d, 2.0), min_size=m, max_size=m))
    relaxed = draw(st.booleans()) if relax else False
    return make_spec(T, family, assignment, raw, signs, directions, relaxed)


def _log_levels(max_loss, min_loss):
    if not max_loss > 0:
        raise UsageError(f"max_loss = {max_loss} must be positive")
    hi = float(mpmath.log10(max_loss)) - math.log10(1 + _PLACEMENT_SLACK)
    lo = float(mpmath.log10(min_loss)) if min_loss is not None else hi - 3
    if not lo <= hi:
        raise UsageError(f"min_loss = {min_loss} must not exceed max_loss = {max_loss}")
    return lo, hi


@st.composite
def samples(draw, r=3, m=5, d=4, max_loss=1e-6, min_loss=None, families=FAMILIES,
            Delta=0.5, w_min=0.8, w_max=1.2, shares=st.floats(0.05, 1.0), relax=False):
    """A :class:`~proofs_check.models.teacher_student.samplers.Sample` (``config``, ``loss`` ball, ``level``,
    ``dps``, ``spec``) with ``min_loss <= L <= max_loss``, the level drawn log-uniformly;
    ``relax=True`` also draws relaxed specs (the others re-fitted around the perturbation)."""
    spec = draw(sublevel_specs(r, m, d, families, Delta, w_min, w_max, shares, relax=relax))
    return _placed(draw, spec, max_loss, min_loss)


def _placed(draw, spec, max_loss, min_loss):
    """``spec`` placed at a level drawn log-uniformly in ``[min_loss, max_loss]``."""
    lo, hi = _log_levels(max_loss, min_loss)
    exponent = draw(st.floats(lo, hi))
    try:
        return configuration_at_level(spec, mpmath.mpf(10) ** mpmath.mpf(exponent))
    except UsageError:
        reject()  # this spec's path does not reach the level


#: The harder teacher classes :func:`search_samples` mixes in: separation down to
#: ``HARD_DELTA`` (attained by a pair), and norms spread over ``HARD_NORMS``.
HARD_DELTA = 0.1
HARD_NORMS = (0.25, 2.0)


def _one_in_four():
    return st.sampled_from((False, False, False, True))


@st.composite
def search_samples(draw, shapes, max_loss=1e-6, min_loss=None, families=FAMILIES, Delta=0.5,
                   w_min=0.8, w_max=1.2, harder=True):
    """What ``proofs-check search`` draws: a :class:`~proofs_check.models.teacher_student.samplers.Sample` of a
    shape ``(r, m, d)`` from ``shapes`` with the teacher class ``Delta``, ``[w_min,
    w_max]``; with ``harder=True`` each of these may also be made harder (in about one
    draw of four each; Hypothesis shrinks back towards the plain draw): the width ``m`` up
    to ``8 r``; the
    separation drawn down to ``HARD_DELTA`` and attained by a teacher pair; the norms
    drawn from ``HARD_NORMS`` (``w_max / w_min = 8``); and relaxed specs (the students
    around the perturbation re-fitted, :func:`samples` with ``relax=True``).
    """
    r, m, d = draw(st.sampled_from(tuple(shapes)))
    tight = False
    if harder:
        # Each variant in about one draw of four (wide students cost ~ m^2 per evaluation);
        # shrinking goes back to the plain draw.
        if draw(_one_in_four()) and m < 8 * r:
            m = draw(st.integers(m + 1, 8 * r))
        if r >= 2 and draw(_one_in_four()):
            Delta, tight = draw(st.floats(min(HARD_DELTA, Delta), Delta)), True
        if draw(_one_in_four()):
            w_min, w_max = min(w_min, HARD_NORMS[0]), max(w_max, HARD_NORMS[1])
    T = draw(teachers(r, d, Delta, w_min, w_max, tight=tight))
    spec = draw(sublevel_specs(r, m, d, families, Delta, w_min, w_max, teacher=T, relax=harder))
    return _placed(draw, spec, max_loss, min_loss)


def configurations(r=3, m=5, d=4, max_loss=1e-6, min_loss=None, families=FAMILIES,
                   Delta=0.5, w_min=0.8, w_max=1.2, shares=st.floats(0.05, 1.0)) -> SearchStrategy:
    """Configurations in the sublevel set ``{L <= max_loss}`` (see :func:`samples`).

    ``r``, ``m``, ``d`` may be ints or strategies.  Evaluate a drawn configuration at
    ``proofs_check.models.teacher_student.samplers.dps_for_level(min_loss)`` digits or more: at small loss the
    closed form cancels ``-log10(L)`` digits.
    """
    return samples(r, m, d, max_loss, min_loss, families, Delta, w_min, w_max, shares).map(
        lambda s: s.config)


def degenerate_configurations(r=3, m=5, d=4, max_loss=1e-6, min_loss=None, Delta=0.5,
                              w_min=0.8, w_max=1.2, *, as_samples=False) -> SearchStrategy:
    """Configurations along the degenerate directions of the sublevel set.

    One of: Claim 2's rotated balanced pairs (loss ``Theta(s^3)``), stray students of small
    norm, or groups with strongly imbalanced shares (``p_j`` down to ``1e-3``).  Needs
    ``m > r`` for the first two.  With ``as_samples=True`` it draws the :class:`Sample`.
    """
    imbalanced = st.sampled_from((1e-3, 1e-2)) | st.floats(0.5, 1.0)
    strategy = st.one_of(
        samples(r, m, d, max_loss, min_loss, ("claim2", "stray"), Delta, w_min, w_max),
        samples(r, m, d, max_loss, min_loss, ("random",), Delta, w_min, w_max, shares=imbalanced),
    )
    return strategy if as_samples else strategy.map(lambda s: s.config)
