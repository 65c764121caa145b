"""The landscape: hunt, certify, classify and deduplicate stationary points of the loss.

Safran and Shamir (ICML 2018) proved that spurious local minima exist for ReLU
teacher-student networks by gradient descent from many starts and a computer-assisted
certificate per point.  This package does the same for Zhou-Ge-Jin's network, and finds
stationary points of every index: descent goes to minima, so the default hunt searches
for zeros of the gradient instead (``docs/hunt.md``).  One module per concern:

* :mod:`.starts`: start points, lazily (atoms, families, widths);
* :mod:`.symmetry`: the teachers' symmetry group and the deduplication key;
* :mod:`.symmetry_seeds`: fixed-point subspaces of symmetries, where the zero search has
  far fewer unknowns;
* :mod:`.solvers`: from a start to a reduced stationary point (Levenberg-Marquardt on
  ``||grad L||^2``, :mod:`numeric.zero_search`, or descent), then
  :mod:`.reduction` (zero rows dropped, aligned students merged);
* :mod:`.deflation`: found points and their orbits repel later zero searches;
* :mod:`.classification`: Krawczyk certificate on balls and the point type (global, minimum,
  saddle, degenerate);
* :mod:`.teacher_student`: the hunt of the paper's model (:func:`hunt`);
  :mod:`.generic`: the hunt of any model (:func:`hunt_generic`) and :func:`run_hunt`;
* :mod:`.ambient`: ``--dim``; :mod:`.memory`: estimates before allocating;
  :mod:`.serialise`: :func:`landscape_json`.

Which model is hunted is a paper's declaration (:class:`HuntModel`, listed in
``Paper.model.hunts``): Zhou-Ge-Jin's package declares the teacher-student model, whose
hunt is :func:`hunt`; a model without a specialised hunt (Safran and Shamir's smooth ReLU
network) gets :func:`hunt_generic`.  :func:`run_hunt` dispatches.

>>> result = hunt([[1, 0], [0, 1]], HuntSettings(students=2, starts=12, seed=0))
>>> sorted({p.point_type for p in result.points}) == ["global", "saddle"]
True
"""
from __future__ import annotations

from proofs_check.landscape.ambient import covering_dimension, pad_teacher
from proofs_check.landscape.classification import certify_descended, classify_point, zero_row_coefficient
from proofs_check.landscape.generic import hunt_generic, hunt_model, run_hunt
from proofs_check.landscape.reduction import Reduced, reduce_point
from proofs_check.landscape.serialise import landscape_json
from proofs_check.landscape.starts import atom_combinations, start_schedule, starts, structured_atoms
from proofs_check.landscape.symmetry import symmetry_key, teacher_symmetries
from proofs_check.landscape.teacher_student import hunt, saddle_hops
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
    "hunt",
    "hunt_model",
    "start_schedule",
    "starts",
    "structured_atoms",
    "atom_combinations",
    "saddle_hops",
    "teacher_symmetries",
    "symmetry_key",
    "classify_point",
    "certify_descended",
    "reduce_point",
    "Reduced",
    "zero_row_coefficient",
    "landscape_json",
    "pad_teacher",
    "covering_dimension",
]
