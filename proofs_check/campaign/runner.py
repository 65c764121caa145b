"""Run a campaign: plan its tasks, skip the finished ones, execute the rest, store each result.

The coordinating process (the one calling :func:`run_campaign`) is the only writer of the
database; it stores each task as it finishes, so a campaign killed at any moment resumes
where it stopped: re-running it skips every task with a row (``done``, ``failed`` unless
``retry_failed``, ``timeout`` unless ``retry_timeouts``) and runs the others.
"""
from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from dataclasses import dataclass

from proofs_check.campaign.executors import dask_results, local_results
from proofs_check.campaign.spec import CampaignSpec
from proofs_check.campaign.store import open_store
from proofs_check.campaign.tasks import TASKS
from proofs_check.errors import Terminated, UsageError, request_termination

__all__ = ["ExecutionSettings", "CampaignOutcome", "run_campaign", "PLANNING_PROGRESS_FROM"]

#: Grids with at least this many points show progress while they are planned and registered
#: (about 0.2 ms per point: 100000 points take tens of seconds before any task runs).
PLANNING_PROGRESS_FROM = 2000


@dataclass(frozen=True)
class ExecutionSettings:
    """Where and how to run: ``workers`` local processes, or the Dask ``scheduler`` address."""

    workers: int | None = None  # None: one per core
    scheduler: str | None = None
    retry_failed: bool = False
    retry_timeouts: bool = False
    progress: bool = False

    def local_workers(self) -> int:
        workers = self.workers if self.workers is not None else (os.cpu_count() or 1)
        if workers < 1:
            raise UsageError(f"--workers = {workers} must be a positive integer")
        return workers


@dataclass(frozen=True)
class CampaignOutcome:
    """Counts for one run of a campaign.

    ``tasks`` the campaign asks for; ``skipped`` already had a row; ``ran`` were executed now
    (``done_now`` + ``failed_now`` + ``timed_out_now``); ``stored_elsewhere`` finished now but
    another campaign had stored them first.  ``failed``, ``timed_out`` and ``findings`` count
    over the whole campaign in the database: failed tasks, tasks stopped by their timeout,
    and results that do not match the paper's expectation.
    """

    campaign: str
    tasks: int
    skipped: int
    ran: int
    done_now: int
    failed_now: int
    stored_elsewhere: int
    failed: int
    findings: int
    timed_out_now: int = 0
    timed_out: int = 0


def run_campaign(spec: CampaignSpec, db_path, settings: ExecutionSettings = ExecutionSettings()) -> CampaignOutcome:
    """Run every task of ``spec`` that has no row in the database at ``db_path``."""
    if settings.scheduler is not None and not settings.scheduler.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        raise UsageError(f"--scheduler {settings.scheduler!r} must be an address like tcp://HOST:PORT")
    workers = None if settings.scheduler else settings.local_workers()
    planned = settings.progress and spec.size() >= PLANNING_PROGRESS_FROM
    with _progress(spec.size() if planned else 0, True, "planning", "point") as bar:
        tasks = spec.tasks(on_point=None if bar is None else lambda: bar.update(1))
    with open_store(db_path) as store:
        with _progress(len(tasks) if planned else 0, True, "registering", "task") as bar:
            store.register(spec.name, tasks, on_chunk=None if bar is None else bar.update)
        finished = store.finished_keys([t.key for t in tasks], include_failed=not settings.retry_failed,
                                       include_timeouts=not settings.retry_timeouts)
        todo = [t for t in tasks if t.key not in finished]
        results = dask_results(todo, settings.scheduler) if settings.scheduler else local_results(todo, workers)
        counts = {"done": 0, "failed": 0, "timeout": 0}
        elsewhere = 0
        with _sigterm_as_interrupt(), contextlib.closing(results), _progress(len(todo), settings.progress) as bar:
            for task, record in results:
                if record["key"] != task.key:  # pragma: no cover - a broken executor
                    raise RuntimeError(f"executor returned {record['key']} for task {task.key}")
                task_type = TASKS[task.task]
                findings = task_type.findings(record["result"]) if record["status"] == "done" else []
                if not store.record(task, record, findings):
                    elsewhere += 1
                counts[record["status"]] += 1
                if bar is not None:
                    bar.set_postfix_str(f"{task.task} {record['status']} ({record['seconds']:.1f}s)")
                    bar.update(1)
        failed, timed_out, findings = _campaign_state(store, tasks)
    return CampaignOutcome(campaign=spec.name, tasks=len(tasks), skipped=len(tasks) - len(todo),
                           ran=sum(counts.values()), done_now=counts["done"], failed_now=counts["failed"],
                           stored_elsewhere=elsewhere, failed=failed, findings=findings,
                           timed_out_now=counts["timeout"], timed_out=timed_out)


def _campaign_state(store, tasks) -> tuple:
    keys = {t.key for t in tasks}
    failed = timed_out = findings = 0
    for row in store.rows():
        if row["key"] not in keys:
            continue
        if row["status"] == "failed":
            failed += 1
        elif row["status"] == "timeout":
            timed_out += 1
        elif TASKS[row["kind"]].is_finding(row["result"]):
            findings += 1
    return failed, timed_out, findings


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM raises :class:`~proofs_check.errors.Terminated` (a KeyboardInterrupt, as
    SIGINT raises), so the executor's cleanup runs and the command line exits 143."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        request_termination()
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _progress(total: int, wanted: bool, desc: str = "tasks", unit: str = "task"):
    if not (wanted and total):
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=True, mininterval=0.5)
    try:
        yield bar
    finally:
        bar.close()
