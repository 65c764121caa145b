"""proofs-check: a symbolic-numeric checker for Zhou, Ge, Jin (COLT 2021).

Public re-exports: :func:`property_test` (one line turns a claim into a pytest property
test) and the Hypothesis strategies of :mod:`proofs_check.models.teacher_student.strategies`.
"""
__version__ = "0.1.0"

from proofs_check.models.teacher_student.strategies import (configurations, degenerate_configurations, samples,
                                     sublevel_specs, teachers)
from proofs_check.testing import property_test

__all__ = ["__version__", "property_test", "teachers", "sublevel_specs", "samples", "configurations",
           "degenerate_configurations"]
