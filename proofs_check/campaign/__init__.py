"""Campaigns: grids of independent tasks (claim checks, ...) run locally or on a Dask
cluster, with every result stored in an SQLite database that survives interruption.

Public surface::

    spec = load_spec("examples/threshold_sweep.toml")
    outcome = run_campaign(spec, ".proofs-check/campaign.sqlite", ExecutionSettings(workers=2))
    summary(".proofs-check/campaign.sqlite")   # JSON-able dict for `campaign show` and the report

See :mod:`proofs_check.campaign.spec` for the spec format, :mod:`~.store` for the tables,
:mod:`~.tasks` for the task types and :mod:`~.summary` for the summary's shape.
"""
from proofs_check.campaign.runner import CampaignOutcome, ExecutionSettings, run_campaign
from proofs_check.campaign.spec import CampaignSpec, SpecError, load_spec, parse_spec
from proofs_check.campaign.store import open_store
from proofs_check.campaign.summary import summary
from proofs_check.campaign.tasks import TASKS

__all__ = ["CampaignSpec", "CampaignOutcome", "ExecutionSettings", "SpecError", "TASKS",
           "load_spec", "open_store", "parse_spec", "run_campaign", "summary"]
