"""The symmetric families ``proofs-check families --paper ss`` follows: those of
:data:`proofs_check.families.definitions.FAMILIES` that exist for Safran-Shamir's ReLU model
(no mirror, bisector or pair families), its loss at orthonormal teachers, and the expansion
of the lowest minima's loss in ``k^(-1/2)``; the paper states no threshold."""
from __future__ import annotations

from numeric.orthonormal_networks import RELU_UNIT_OUTPUT
from numeric.safran_shamir import SafranShamirModel
from proofs_check.families.definitions import PaperFamilies

__all__ = ["FAMILY_RECORD"]

FAMILY_RECORD = PaperFamilies(names=("diag", "split", "diag+1", "split+1"), network=RELU_UNIT_OUTPUT,
                              full_model=SafranShamirModel.orthonormal, expansion=True)
