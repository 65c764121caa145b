"""Evaluation of the derived quantities: any precision (mpmath, python-flint balls), float64.

Public surface:

* :class:`Configuration` (reading and writing its files is :mod:`proofs_check.files`)
* :func:`evaluate` (high precision; balls from the compiled :mod:`numeric.native` engine when it
  is available, chosen by its ``engine`` argument or :func:`ball_engine`) and
  :mod:`numeric.float64` (vectorised numpy)
* :func:`guaranteed_loss` (precision raised until the requested digits are certain)
* :mod:`numeric.filtered`: float64 loss and gradient with a rigorous error bound, as balls, and
  decisions that escalate to balls only when that bound cannot settle them
"""
from numeric.config import Configuration
from numeric.errors import ConfigurationError
from numeric.evaluation import Evaluation
from numeric.precise import (
    EvaluationTooLargeError,
    UndefinedQuantityError,
    ball_engine,
    evaluate,
)

__all__ = [
    "Configuration",
    "ConfigurationError",
    "Evaluation",
    "UndefinedQuantityError",
    "EvaluationTooLargeError",
    "evaluate",
    "ball_engine",
]
