"""The records of the ReLU network on data: as a Gram-matrix model (:data:`DATA_SET`, Du
et al.) and as a map ``F`` (:data:`NETWORK_ON_DATA`, Liu, Zhu, Belkin)."""
from __future__ import annotations

from numeric.dataset import DataSet, NetworkOnData
from proofs_check.models import Model
from proofs_check.models.relu_on_data.datasets import (dataset_strategy, nearly_parallel_dataset,
                                                       network_on_data_strategy, sphere_dataset)

__all__ = ["DATA_SET", "NETWORK_ON_DATA", "MODELS"]

DATA_SET = Model(
    name="two-layer ReLU network, fixed second layer, finite data set on the sphere",
    configuration=DataSet,
    loss=r"L(W)=\tfrac12\sum_{i=1}^n\bigl(f(W,a,x_i)-y_i\bigr)^2,\quad "
         r"f(W,a,x)=\tfrac{1}{\sqrt m}\sum_{r=1}^m a_r\,\mathrm{relu}(w_r^\top x)",
    samplers=(sphere_dataset, nearly_parallel_dataset),
    strategy=dataset_strategy,
    scale="smallest input angle theta_min",
)

NETWORK_ON_DATA = Model(
    name="the two-layer ReLU network of Du et al. as a map F: R^(md) -> R^n",
    configuration=NetworkOnData,
    loss=r"L(w)=\tfrac12\|F(w)-y\|^2,\quad K(w)=DF(w)\,DF(w)^\top",
    samplers=(sphere_dataset,),
    strategy=network_on_data_strategy,
)

#: The models this package declares (:func:`proofs_check.models.builtin_models`).
MODELS = (DATA_SET, NETWORK_ON_DATA)
