"""The toy model's record, as :class:`proofs_check.models.Model` declares it."""
from __future__ import annotations

from proofs_check.models import Model
from toy_model.campaign_tasks import TASK_TYPES
from toy_model.configuration import AnglePair
from toy_model.sampler import angle_grid
from toy_model.strategy import angle_pairs

__all__ = ["ANGLE_PAIR"]

ANGLE_PAIR = Model(
    name="a pair of unit vectors at angle theta; w ~ N(0, I)",
    configuration=AnglePair,
    loss=r"P(\theta)=\Pr_w[w^\top x\ge0,\ w^\top y\ge0]",
    samplers=(angle_grid,),
    strategy=angle_pairs,
    scale="angle theta",
    task_types=TASK_TYPES,
)
