"""The landscape: hunt, certify, classify and deduplicate stationary points of the loss.

Safran and Shamir (ICML 2018) proved that spurious local minima exist for ReLU
teacher-student networks by gradient descent from many starts and a computer-assisted
certificate per point.  This package does the same for any model declared by a paper
(:class:`HuntModel`), and finds stationary points of every index: descent goes to minima,
so the teacher-student hunt searches for zeros of the gradient instead (``docs/hunt.md``).
One module per concern:

* :mod:`.symmetry`: the teachers' symmetry group and the deduplication key;
* :mod:`.deflation`: found points and their orbits repel later zero searches;
* :mod:`.classification`: Krawczyk certificate on balls and the point type (global, minimum,
  saddle, degenerate);
* :mod:`.generic`: the hunt of any model (:func:`hunt_generic`) and :func:`run_hunt`;
* :mod:`.ambient`: ``--dim``; :mod:`.memory`: estimates before allocating;
  :mod:`.serialise`: :func:`landscape_json`.

Which model is hunted is a model's declaration (:class:`HuntModel`, listed in
``Model.hunts``): the teacher-student model (:mod:`proofs_check.models.teacher_student`:
its start points, solvers, reductions, symmetric subspaces and its hunt
:func:`proofs_check.models.teacher_student.hunt.hunt`) brings its own hunt; a model
without a specialised hunt (Safran and Shamir's smooth ReLU network) gets
:func:`hunt_generic`.  :func:`run_hunt` dispatches.

>>> from proofs_check.models.teacher_student.hunt import hunt
>>> result = hunt([[1, 0], [0, 1]], HuntSettings(students=2, starts=12, seed=0))
>>> sorted({p.point_type for p in result.points}) == ["global", "saddle"]
True
"""
from __future__ import annotations

from proofs_check.landscape.ambient import covering_dimension, pad_teacher
from proofs_check.landscape.classification import certify_descended, classify_point, zero_row_coefficient
from proofs_check.landscape.generic import hunt_generic, hunt_model, run_hunt
from proofs_check.landscape.serialise import landscape_json
from proofs_check.landscape.symmetry import symmetry_key, teacher_symmetries
from proofs_check.landscape.types import (DEFAULT_STRATEGIES, STRATEGIES, HuntInterrupted, HuntModel,
                                          HuntSettings, Landscape, ModelPoint, StationaryPoint, StrategyCount)

__all__ = [
    "HuntModel",
    "ModelPoint",
    "run_hunt",
    "hunt_generic",
    "HuntSettings",
    "StationaryPoint",
    "StrategyCount",
    "Landscape",
    "HuntInterrupted",
    "STRATEGIES",
    "DEFAULT_STRATEGIES",
    "hunt_model",
    "teacher_symmetries",
    "symmetry_key",
    "classify_point",
    "certify_descended",
    "zero_row_coefficient",
    "landscape_json",
    "pad_teacher",
    "covering_dimension",
]
