"""Models: a loss on a configuration type, with its samplers, strategy and hunts.

A model is one package under ``proofs_check/models/`` (``teacher_student``,
``relu_unit_output``, ``relu_on_data``) or a package of another distribution (see
``examples/toy_paper``); it declares itself to the shared engines (search, worst-case
optimiser, stationary hunt, report) through one record, :class:`Model`, which a paper
names in its ``Paper.model``.  Engines read only the fields below; none of them imports
a model package.  A built-in model package declares its records in its ``model`` module
(``MODELS``), which :func:`builtin_models` discovers.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Angle:
...     theta: float
...     @classmethod
...     def from_dict(cls, data): return cls(float(data["theta"]))
...     def to_dict(self): return {"theta": self.theta}
>>> model = Model(name="an angle", configuration=Angle, loss=r"P(\\theta)")
>>> model.read({"theta": "0.5"})
Angle(theta=0.5)
>>> model.write(Angle(0.25))
{'theta': 0.25}
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

__all__ = ["Model", "builtin_models"]


@dataclass(frozen=True)
class Model:
    """What a paper's claims are evaluated on.

    ``configuration`` is the frozen, validated configuration type; its file form is
    ``from_dict``/``to_dict`` (the JSON that ``replay`` and saved counterexamples use),
    read and written through :meth:`read` and :meth:`write`; ``loss`` is the loss in LaTeX;
    ``samplers`` are the functions that draw the model's configurations; ``strategy``
    (optional) returns a Hypothesis strategy of configurations for ``proofs-check search``
    (the teacher-student model's level-set search uses its own strategies instead);
    ``hunts`` are the :class:`proofs_check.landscape.HuntModel` s that ``proofs-check
    stationary`` can hunt (the first is the default); ``scale`` names the scale variable of
    the observations its claims' ``at`` returns (shown by ``proofs-check search``; empty:
    the claims have no loss level or other scale); ``worst_case_starts`` (optional) places
    the starts of the level-set optimiser :func:`proofs_check.worst_case.minimise_margin`
    (``(teacher, m, level, settings, rng) -> [Start, ...]``), and ``start_families`` names
    the families it can draw; ``search_plan`` (optional) returns the
    :class:`proofs_check.search.plan.SearchPlan` of ``proofs-check search`` for a claim on
    this configuration type (``(claim, *, seed, min_loss, max_loss, shapes, families,
    refine_steps, screen, counts) -> SearchPlan``; the teacher-student level-set search);
    ``user_claim`` (optional) gives a user's claim (``package.module:attribute``, which has
    no paper) the model's checking defaults (``Claim -> Claim``): user claims take the first
    built-in model (:func:`builtin_models`) that declares it; ``task_types`` are the
    :class:`proofs_check.campaign.task_types.TaskType` s a campaign can run on this model
    (collected in :data:`proofs_check.campaign.tasks.TASKS`).
    """

    name: str
    configuration: type
    loss: str
    samplers: tuple[Callable, ...] = ()
    strategy: Callable | None = None
    hunts: tuple = ()
    scale: str = ""
    worst_case_starts: Callable | None = None
    start_families: tuple[str, ...] = ()
    search_plan: Callable | None = None
    user_claim: Callable | None = None
    task_types: tuple = ()

    def read(self, data: dict):
        """A configuration from its file form (``configuration.from_dict``)."""
        return self.configuration.from_dict(data)

    def write(self, config, *args) -> dict:
        """The file form of ``config`` (``config.to_dict(*args)``, e.g. digits)."""
        return config.to_dict(*args)


@lru_cache(maxsize=None)
def builtin_models() -> tuple[Model, ...]:
    """Every record of the built-in model packages (``proofs_check/models/<model>/model.py``,
    its ``MODELS``), packages in name order.  Discovered at call time, so this interface
    imports no model package."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.ispkg or info.name.startswith("_"):
            continue
        package = importlib.import_module(f"{__name__}.{info.name}")
        if any(m.name == "model" for m in pkgutil.iter_modules(package.__path__)):
            found += list(importlib.import_module(f"{package.__name__}.model").MODELS)
    return tuple(found)
