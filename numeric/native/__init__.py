"""Certified loss and gradient at C speed: the per-pair loop compiled (numba), calling FLINT's
own ``arb_*`` functions from the shared library python-flint ships.

Importing this package loads the library, compiles or loads from the disk cache the loops
of :mod:`numeric.native.kernels`, and runs :func:`numeric.native.selftest.run_self_test`
(struct layout and signatures against python-flint, bit for bit).  If anything fails --
numba missing, library not found, another FLINT, a layout that does not match -- the engine
is unavailable, :func:`status` says why in one line, and :func:`numeric.precise.evaluate`
falls back to the python-flint evaluator.  See ``docs/native.md``.

Public surface:

* :func:`loss_and_gradient` ``(config, dps, *, gradient=True) -> (loss, gradient)``: python-flint
  balls, FLINT's own radii;
* :func:`status` (``"available: ..."`` or ``"unavailable: <reason>"``), :func:`engine`;
* :func:`load` (an engine for an explicit library path or layout: the self-test's test hook).

>>> from numeric.config import Configuration
>>> loss, grad = loss_and_gradient(Configuration([[1, 0]], [[1, 0]]), 30)
>>> loss.contains(0), grad[0][0].contains(0)
(True, True)
"""
from __future__ import annotations

from dataclasses import dataclass

import flint

from numeric.config import Configuration
from numeric.native.library import ArbLayout

__all__ = ["NativeEngine", "NativeUnavailable", "NotApplicable", "load", "engine", "status",
           "loss_and_gradient", "ArbLayout"]

#: python-flint releases whose object layout the self-test was run on (pinned in pyproject).
VERIFIED_PYTHON_FLINT = ">=0.9,<0.10"


class NativeUnavailable(RuntimeError):
    """The compiled engine cannot be used here; the message is the one-line reason."""


class NotApplicable(Exception):
    """The compiled engine does not do this evaluation (e.g. no nonzero neuron)."""


@dataclass(frozen=True)
class NativeEngine:
    """A loaded FLINT that passed the self-test with ``layout``."""

    library: object  # numeric.native.library.FlintLibrary
    layout: ArbLayout

    def loss_and_gradient(self, config: Configuration, *, gradient: bool = True):
        """At the caller's python-flint precision; see :func:`loss_and_gradient`.  ``config``
        may also be a :class:`numeric.integer_rows.ExactRows` (exact rows, ``m < r`` allowed)."""
        from numeric.native import evaluation

        try:
            return evaluation.loss_and_gradient_balls(config, self.library, self.layout,
                                                      gradient=gradient)
        except evaluation.NotApplicable as exc:
            raise NotApplicable(str(exc)) from None


@dataclass(frozen=True)
class Unavailable:
    reason: str


def load(layout: ArbLayout = ArbLayout(), path: str | None = None):
    """A :class:`NativeEngine` for FLINT at ``path`` (python-flint's own by default) and the
    struct ``layout``, or :class:`Unavailable` with the one-line reason.  Nothing is written
    through ``layout`` before its read-only check passes."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return Unavailable("numba is not installed")
    from numeric.native.library import open_library
    from numeric.native.selftest import SelfTestFailure, run_self_test

    try:
        lib = open_library(path)
    except OSError as exc:
        return Unavailable(f"FLINT library: {exc}")
    try:
        run_self_test(lib, layout)
    except SelfTestFailure as exc:
        return Unavailable(f"self-test failed: {exc}")
    return NativeEngine(lib, layout)


_ENGINE = load()


def engine() -> NativeEngine:
    """The engine checked at import, or :class:`NativeUnavailable` with the reason."""
    if isinstance(_ENGINE, Unavailable):
        raise NativeUnavailable(_ENGINE.reason)
    return _ENGINE


def status() -> str:
    """One line: ``"available: FLINT <version> at <file name>"`` or ``"unavailable: <reason>"``."""
    if isinstance(_ENGINE, Unavailable):
        return f"unavailable: {_ENGINE.reason}"
    import os

    return f"available: FLINT {_ENGINE.library.version} ({os.path.basename(_ENGINE.library.path)})"


def loss_and_gradient(config: Configuration, dps: int, *, gradient: bool = True):
    """``(loss, gradient)`` of ``config`` as python-flint balls at ``dps`` digits (``gradient``
    ``None`` unless asked for; ``m`` rows of ``d`` balls).  Raises :class:`NativeUnavailable`
    or :class:`NotApplicable`; :func:`numeric.precise.evaluate` catches both and falls back."""
    with flint.ctx.workdps(dps):
        return engine().loss_and_gradient(config, gradient=gradient)
