"""The Safran-Shamir model's record: its configuration type, loss and hunt."""
from __future__ import annotations

from numeric.safran_shamir import SafranShamirModel
from proofs_check.models import Model
from proofs_check.models.relu_unit_output.hunt import RELU_UNIT_OUTPUT_HUNT

__all__ = ["RELU_UNIT_OUTPUT", "MODELS"]

RELU_UNIT_OUTPUT = Model(
    name="ReLU student with unit output weights, orthonormal ReLU teacher, Gaussian input",
    configuration=SafranShamirModel,
    loss=r"L(W)=\tfrac12\,\mathbb E_{x\sim N(0,I_n)}\Bigl[\Bigl(\sum_{i\le k}\mathrm{relu}(w_i^\top x)"
         r"-\sum_{j\le n}\mathrm{relu}(v_j^\top x)\Bigr)^2\Bigr]",
    hunts=(RELU_UNIT_OUTPUT_HUNT,),
)

#: The models this package declares (:func:`proofs_check.models.builtin_models`).
MODELS = (RELU_UNIT_OUTPUT,)
