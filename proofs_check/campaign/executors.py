"""Where tasks run: local worker processes, or a Dask distributed cluster.

Both executors take the tasks to run and yield ``(task, record)`` as tasks finish, in
completion order; the coordinating process stores each record (workers never touch the
database).  Both keep a bounded number of tasks in flight, so a campaign of many thousands
of tasks does not queue them all at once, and an interrupted campaign loses at most the
tasks in flight.

Local processes never outlive the coordinator: closing the executor (normal end, an
exception, SIGINT or SIGTERM turned into ``KeyboardInterrupt``) terminates them, and each
worker also exits by itself within a second if its parent dies without cleaning up (SIGKILL).
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from proofs_check.campaign.tasks import execute
from proofs_check.errors import UsageError

__all__ = ["local_results", "dask_results", "IN_FLIGHT_PER_WORKER"]

#: Tasks queued per worker beyond the one it runs: keeps workers busy without queueing all.
IN_FLIGHT_PER_WORKER = 2
_PARENT_POLL_S = 0.5


def _watch_parent(parent_pid: int) -> None:
    while True:
        if os.getppid() != parent_pid:
            os._exit(1)  # the coordinator died (SIGKILL): nobody will read our result
        time.sleep(_PARENT_POLL_S)


def _worker_init(parent_pid: int) -> None:
    # Ctrl-C reaches the whole process group; the coordinator alone decides what to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()


def local_results(tasks, workers: int):
    """Run ``tasks`` in ``workers`` fresh processes (spawned, so no state is inherited).

    Returns a generator of ``(task, record)``; closing it terminates the workers.
    """
    if workers < 1:
        raise UsageError(f"--workers = {workers} must be a positive integer")
    return _local_results(list(tasks), workers)


def _local_results(tasks, workers):
    if not tasks:
        return
    pool = ProcessPoolExecutor(max_workers=min(workers, len(tasks)),
                               mp_context=multiprocessing.get_context("spawn"),
                               initializer=_worker_init, initargs=(os.getpid(),))
    try:
        queue = iter(tasks)
        in_flight = {}

        def refill():
            while len(in_flight) < workers * (1 + IN_FLIGHT_PER_WORKER):
                task = next(queue, None)
                if task is None:
                    return
                in_flight[pool.submit(execute, task.task, task.canonical)] = task

        refill()
        while in_flight:
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in finished:
                yield in_flight.pop(future), future.result()
            refill()
    finally:
        _stop_pool(pool)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel queued tasks and terminate the workers, including one mid-task."""
    # ProcessPoolExecutor has no public way to stop a running task (Python 3.14 adds
    # terminate_workers()); its process table has been stable since 3.2.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join()


def dask_results(tasks, address: str, *, connect_timeout: float = 20):
    """Run ``tasks`` on the Dask distributed scheduler at ``address`` (``tcp://HOST:PORT``).

    Connects at once (a wrong address is an input error before any work) and returns an
    iterable of ``(task, record)`` with a ``close()`` that cancels what is still queued and
    disconnects.  The workers need proofs-check installed (the same version, for comparable
    rows).  Each task's Dask key is derived from its content hash, so the cluster never runs
    one task twice for one client.
    """
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - dask[distributed] is a dependency
        raise UsageError("--scheduler needs dask.distributed: pip install 'dask[distributed]'") from None
    try:
        client = Client(address, timeout=connect_timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"--scheduler {address!r}: cannot connect ({exc})") from None
    return _DaskRun(client, list(tasks))


class _DaskRun:
    def __init__(self, client, tasks):
        self.client = client
        self.tasks = tasks
        self.live = {}  # Dask key -> (task, future): submitted, not yet yielded

    def __iter__(self):
        from distributed import as_completed

        workers = max(1, len(self.client.nthreads()))
        queue = iter(self.tasks)

        def submit_next(n):
            out = []
            for task in queue:
                future = self.client.submit(execute, task.task, task.canonical,
                                            key=f"proofs-check-{task.key}", pure=False, retries=0)
                self.live[future.key] = (task, future)
                out.append(future)
                if len(out) == n:
                    break
            return out

        completed = as_completed(submit_next(workers * (1 + IN_FLIGHT_PER_WORKER)), loop=self.client.loop)
        for future in completed:
            task, _ = self.live.pop(future.key)
            record = future.result()
            future.release()
            yield task, record
            for new in submit_next(1):
                completed.add(new)

    def close(self):
        try:
            if self.live:
                self.client.cancel([future for _, future in self.live.values()])
        finally:
            self.client.close()
