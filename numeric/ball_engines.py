"""Which evaluator computes balls: the compiled engine (:mod:`numeric.native`) or python-flint
(:mod:`numeric.precise`), chosen explicitly by :func:`numeric.precise.evaluate`'s ``engine``
argument or, for a whole block of code, by the context manager :func:`ball_engine`; and, for
evaluators of boxes, the compiled gradient at exact points (:func:`point_gradient`, with
:func:`exact_sum` to move a point without rounding).
"""
from __future__ import annotations

import contextlib
import contextvars
from fractions import Fraction

import flint
from flint import arb

from numeric.numbers import arb_midpoint_fraction

__all__ = ["BALL_ENGINES", "ball_engine", "chosen_engine", "native_loss_and_gradient", "exact_sum",
           "exact_fraction", "point_gradient"]

#: The ball evaluators :func:`numeric.precise.evaluate` can use (its ``engine`` argument).
BALL_ENGINES = ("auto", "native", "python-flint")
_ENGINE: contextvars.ContextVar = contextvars.ContextVar("numeric_ball_engine", default="auto")


@contextlib.contextmanager
def ball_engine(name: str):
    """Inside the block, :func:`numeric.precise.evaluate` without an ``engine`` argument uses
    ``name`` (one of :data:`BALL_ENGINES`), e.g. to run the whole suite on python-flint alone."""
    if name not in BALL_ENGINES:
        raise ValueError(f"engine = {name!r} is not one of {BALL_ENGINES}")
    token = _ENGINE.set(name)
    try:
        yield
    finally:
        _ENGINE.reset(token)


def chosen_engine(engine: str | None) -> str:
    """``engine`` if given, else the one :func:`ball_engine` set (``"auto"`` outside any)."""
    chosen = _ENGINE.get() if engine is None else engine
    if chosen not in BALL_ENGINES:
        raise ValueError(f"engine = {chosen!r} is not one of {BALL_ENGINES}")
    return chosen


def native_loss_and_gradient(config, dps, gradient, *, required):
    """``(loss, gradient)`` from :mod:`numeric.native` (imported here, on the first ball
    evaluation: that import runs its self-test), or ``None`` to fall back to python-flint;
    with ``required`` an unavailable engine raises :class:`numeric.native.NativeUnavailable`."""
    from numeric import native

    try:
        return native.loss_and_gradient(config, dps, gradient=gradient)
    except native.NativeUnavailable:
        if required:
            raise
    except native.NotApplicable:
        pass
    return None


def exact_fraction(x) -> Fraction | None:
    """``x`` (an ``arb``, Fraction or int) as an exact Fraction, or ``None`` if it is a ball
    of positive radius (or not a number we read)."""
    if isinstance(x, arb):
        return arb_midpoint_fraction(x) if x.is_exact() else None
    if isinstance(x, (Fraction, int)):
        return Fraction(x)
    return None


def exact_sum(a: arb, b: arb) -> arb:
    """``a + b`` without rounding when both are exact (radius 0): the precision is raised to
    the bits the sum needs; otherwise the ordinary ball sum at the current precision."""
    if not (a.is_exact() and b.is_exact()):
        return a + b
    spans = []
    for x in (a, b):
        man, exp = (int(v) for v in x.mid().man_exp())
        if man:
            spans.append((exp, exp + man.bit_length()))
    if not spans:
        return arb(0)
    bits = max(top for _, top in spans) - min(low for low, _ in spans) + 2
    with flint.ctx.workprec(max(bits, flint.ctx.prec)):
        return a + b


def point_gradient(teacher, student_rows, activation: str, *, engine: str | None = None):
    """The gradient (flattened: ``m d`` balls) at an exact point from the compiled engine, at
    the current python-flint precision, or ``None``: the chosen engine (``engine``, else the
    one :func:`ball_engine` set) is python-flint, an entry is a ball of positive radius (a
    box, not a point), or the engine does not apply.  ``teacher``: rows of Fractions;
    ``student_rows``: rows of ``arb``/Fraction/int.  For evaluators of boxes (the stationary
    hunt's model) that can take the native path at points."""
    chosen = chosen_engine(engine)
    if chosen == "python-flint":
        return None
    student = []
    for row in student_rows:
        exact_row = tuple(exact_fraction(x) for x in row)
        if any(x is None for x in exact_row):
            return None
        student.append(exact_row)
    from numeric import native
    from numeric.integer_rows import ExactRows

    try:
        _, gradient = native.engine().loss_and_gradient(ExactRows(tuple(teacher), tuple(student), activation))
    except native.NativeUnavailable:
        if chosen == "native":
            raise
        return None
    except native.NotApplicable:
        return None
    return [v for row in gradient for v in row]
