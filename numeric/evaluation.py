"""The result of a high-precision evaluation: loss, gradient and Hessian at a precision,
with the backend and the engine that computed them (:func:`numeric.precise.evaluate`,
:mod:`numeric.float64_enclosure`, :mod:`numeric.box_evaluation`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Evaluation"]


@dataclass(frozen=True)
class Evaluation:
    """Loss, gradient (``m x d``) and optionally Hessian (``md x md``) at ``dps`` digits.

    Entries are backend numbers: ``mpmath.mpf`` or ``flint.arb`` balls.  The Hessian's row
    and column order is ``w_1[0..d-1], w_2[0..d-1], ...``.
    """

    loss: Any
    gradient: tuple | None
    hessian: tuple | None
    dps: int
    backend: str
    #: Which evaluator computed it: ``"native"`` (:mod:`numeric.native`), ``"python-flint"``
    #: (:mod:`numeric.precise`; also mpmath numbers) or ``"float64-screen"``
    #: (:mod:`numeric.float64_enclosure`).
    engine: str = "python-flint"

    def gradient_norm_squared(self):
        return sum(x * x for row in self.gradient for x in row)
