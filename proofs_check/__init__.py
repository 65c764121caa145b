"""proofs-check: a symbolic-numeric checker for Zhou, Ge, Jin (COLT 2021).

Public re-export: :func:`property_test` (one line turns a claim into a pytest property
test).  The Hypothesis strategies of the teacher-student model are public in
:mod:`proofs_check.models.teacher_student.strategies` (until issue 18 this package
re-exported them; the old names raise an ``AttributeError`` that says where they are).
"""
__version__ = "0.1.0"

from proofs_check.testing import property_test

__all__ = ["__version__", "property_test"]

# Names this package re-exported before models became packages (issue 18), and where they live.
_MOVED = {name: "proofs_check.models.teacher_student.strategies"
          for name in ("teachers", "sublevel_specs", "samples", "configurations", "degenerate_configurations")}


def __getattr__(name):
    if name in _MOVED:
        raise AttributeError(f"proofs_check.{name} moved to {_MOVED[name]}.{name} "
                             f"(from {_MOVED[name]} import {name})")
    raise AttributeError(f"module 'proofs_check' has no attribute {name!r}")
