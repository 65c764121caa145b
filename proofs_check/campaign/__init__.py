"""Campaigns: grids of independent tasks (claim checks, ...) run locally or on a Dask
cluster, with every result stored in an SQLite database that survives interruption.

Public surface::

    spec = load_spec("examples/threshold_sweep.toml")
    outcome = run_campaign(spec, ".proofs-check/campaign.sqlite", ExecutionSettings(workers=2))
    summary(".proofs-check/campaign.sqlite")   # JSON-able dict for `campaign show` and the report

See :mod:`proofs_check.campaign.spec` for the spec format, :mod:`~.store` for the tables,
:mod:`~.tasks` for the task types and :mod:`~.summary` for the summary's shape.

The runner's names (``run_campaign``, ``ExecutionSettings``, ``CampaignOutcome``) are loaded
on first use: a model that declares task types imports :mod:`~.task_types` without loading
the runner and its executors.
"""
from importlib import import_module

from proofs_check.campaign.spec import CampaignSpec, SpecError, load_spec, parse_spec
from proofs_check.campaign.store import open_store
from proofs_check.campaign.summary import summary
from proofs_check.campaign.tasks import TASKS

_RUNNER_NAMES = ("CampaignOutcome", "ExecutionSettings", "run_campaign")

__all__ = ["CampaignSpec", "CampaignOutcome", "ExecutionSettings", "SpecError", "TASKS",
           "load_spec", "open_store", "parse_spec", "run_campaign", "summary"]


def __getattr__(name):
    if name in _RUNNER_NAMES:
        return getattr(import_module(f"{__name__}.runner"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
