"""Which evaluator computes balls: the compiled engine (:mod:`numeric.native`) or python-flint
(:mod:`numeric.precise`), chosen explicitly by :func:`numeric.precise.evaluate`'s ``engine``
argument or, for a whole block of code, by the context manager :func:`ball_engine`.
"""
from __future__ import annotations

import contextlib
import contextvars

__all__ = ["BALL_ENGINES", "ball_engine", "chosen_engine", "native_loss_and_gradient"]

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
