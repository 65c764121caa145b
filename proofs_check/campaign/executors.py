"""Where tasks run: local worker processes, or a Dask distributed cluster.

Both executors take the tasks to run and yield ``(task, record)`` as tasks finish, in
completion order; the coordinating process stores each record (workers never touch the
database).  Both keep a bounded number of tasks in flight (one per local worker; a few per
Dask worker), so a campaign of many thousands of tasks does not queue them all at once,
and an interrupted campaign loses at most the tasks in flight.

A task with a ``timeout`` that runs longer is stopped and yields a record with status
``timeout`` (:func:`~proofs_check.campaign.tasks.timeout_record`): locally its worker
process is killed and replaced; on Dask its future is cancelled and its worker process
restarted by the worker's nanny (the default of ``dask worker``).

Local processes never outlive the coordinator: closing the executor (normal end, an
exception, SIGINT or SIGTERM turned into ``KeyboardInterrupt``) terminates them, and each
worker also exits by itself within a second if its parent dies without cleaning up (SIGKILL).
"""
from __future__ import annotations

import itertools
import multiprocessing
import os
import platform
import signal
import threading
import time
from collections import deque
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import connection

from proofs_check.campaign.tasks import execute, running_task, timeout_record
from proofs_check.errors import UsageError

__all__ = ["local_results", "dask_results", "ExecutionError", "IN_FLIGHT_PER_WORKER"]


class ExecutionError(RuntimeError):
    """The machinery failed (not a task, not the input): the campaign stops, rows are kept."""

#: Dask: tasks queued per worker beyond the one it runs (keeps workers busy without queueing
#: all).  A local worker is sent its next task when it returns one.
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

    Returns a generator of ``(task, record)``; closing it terminates the workers.  A task
    with a ``timeout`` that runs longer is stopped: its worker process is killed (and
    replaced), and its record has status ``timeout``.
    """
    if workers < 1:
        raise UsageError(f"--workers = {workers} must be a positive integer")
    return _local_results(list(tasks), workers)


def _worker_main(conn, parent_pid: int) -> None:
    """A local worker: report ready once the task code is imported, then run the tasks sent
    one at a time until the pipe closes."""
    _worker_init(parent_pid)
    from proofs_check.campaign.tasks import execute as run_task

    conn.send(("ready", os.getpid()))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        conn.send(("record", run_task(*message)))


class _LocalWorker:
    """One spawned worker process, its pipe, and the task it runs (with when it was sent)."""

    def __init__(self, context):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, os.getpid()), daemon=False,
                                       name="proofs-check-campaign-worker")
        self.process.start()
        child.close()
        self.ready = False
        self.task = None
        self.sent = self.sent_wall = 0.0

    def send(self, task) -> None:
        self.task, self.sent, self.sent_wall = task, time.monotonic(), time.time()
        self.conn.send((task.task, task.canonical))

    def overdue(self, now: float) -> bool:
        return self.task is not None and self.task.timeout is not None and now - self.sent >= self.task.timeout

    def stop(self) -> None:
        """Terminate the process (SIGTERM, then SIGKILL after 5 s) and close the pipe."""
        if self.process.is_alive():
            self.process.terminate()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _local_results(tasks, workers):
    if not tasks:
        return
    context = multiprocessing.get_context("spawn")
    queue = deque(tasks)
    pool = []
    try:
        pool = [_LocalWorker(context) for _ in range(min(workers, len(tasks)))]
        while queue or any(w.task is not None for w in pool):
            for worker in pool:
                if worker.ready and worker.task is None and queue:
                    worker.send(queue.popleft())
            now = time.monotonic()
            deadlines = [w.sent + w.task.timeout for w in pool if w.task is not None and w.task.timeout is not None]
            wait_s = max(0.0, min(deadlines) - now) if deadlines else None
            ready = set(connection.wait([w.conn for w in pool] + [w.process.sentinel for w in pool], timeout=wait_s))
            finished = []
            for worker in pool:
                if worker.conn in ready:
                    try:
                        kind, payload = worker.conn.recv()
                    except (EOFError, OSError):
                        kind = payload = None
                    if kind == "ready":
                        worker.ready = True
                        continue
                    if kind == "record":
                        finished.append((worker.task, payload))
                        worker.task = None
                        continue
                if worker.process.sentinel in ready or (worker.conn in ready and kind is None):
                    worker.process.join(timeout=1)
                    doing = f" running task {worker.task.key[:12]}" if worker.task is not None else ""
                    raise BrokenProcessPool(f"a worker process (pid {worker.process.pid}) died with exit code "
                                            f"{worker.process.exitcode}{doing}")
            now = time.monotonic()
            for worker in [w for w in pool if w.overdue(now)]:
                task, seconds = worker.task, now - worker.sent
                worker.stop()
                finished.append((task, timeout_record(task.canonical, task.timeout, worker.sent_wall, seconds,
                                                      f"{platform.node()}:{worker.process.pid}")))
                pool.remove(worker)
                if queue:  # a fresh process takes the next task once it has imported
                    pool.append(_LocalWorker(context))
            for task, record in finished:
                yield task, record
    finally:
        for worker in pool:
            worker.stop()


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


#: Seconds between two polls of a Dask cluster's workers for tasks past their timeout.
DASK_TIMEOUT_POLL_S = 1.0


class _DaskRun:
    def __init__(self, client, tasks):
        self.client = client
        self.tasks = tasks
        self.live = {}  # Dask key -> (task, future): submitted, not yet yielded

    def __iter__(self):
        from distributed import wait as wait_for

        workers = max(1, len(self.client.nthreads()))
        queue = iter(self.tasks)

        def submit(n):
            for task in itertools.islice(queue, n):
                future = self.client.submit(execute, task.task, task.canonical,
                                            key=f"proofs-check-{task.key}", pure=False, retries=0)
                self.live[future.key] = (task, future)

        submit(workers * (1 + IN_FLIGHT_PER_WORKER))
        while self.live:
            timeouts = any(task.timeout is not None for task, _ in self.live.values())
            try:
                with self.client.as_current():  # the client is not the process-wide default
                    done = wait_for([future for _, future in self.live.values()], return_when="FIRST_COMPLETED",
                                    timeout=DASK_TIMEOUT_POLL_S if timeouts else None).done
            except TimeoutError:
                done = ()
            finished = []
            for future in done:
                task, _ = self.live.pop(future.key)
                finished.append((task, future.result()))
                future.release()
            if timeouts:
                finished += self._stop_overdue()
            for task, record in finished:
                yield task, record
                submit(1)

    def _stop_overdue(self) -> list:
        """Cancel the tasks running past their timeout and restart their worker processes."""
        out = []
        running = self.client.run(running_task, on_error="return")  # {worker address: info or None}
        for address, info in running.items():
            if not isinstance(info, dict):
                continue
            live = self.live.get(f"proofs-check-{info['key']}")
            if live is None or live[0].timeout is None or info["seconds"] < live[0].timeout:
                continue
            task, future = live
            del self.live[future.key]
            self.client.cancel([future])
            # The worker's thread cannot be interrupted: its process is killed and its nanny
            # starts a fresh one, which rejoins the cluster.
            try:
                self.client.restart_workers([address])
            except Exception as exc:  # e.g. a worker started with --no-nanny
                raise ExecutionError(f"task {task.key[:12]} ran past its timeout ({task.timeout:g} s) on worker "
                                     f"{address}, which could not be restarted ({type(exc).__name__}: {exc}); "
                                     "timeouts on Dask need workers with a nanny (the default of dask worker)") from exc
            out.append((task, timeout_record(task.canonical, task.timeout, time.time() - info["seconds"],
                                             info["seconds"], info["worker"])))
        return out

    def close(self):
        try:
            if self.live:
                self.client.cancel([future for _, future in self.live.values()])
        finally:
            self.client.close()
