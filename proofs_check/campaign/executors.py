"""Where tasks run: local worker processes, or a Dask distributed cluster.

Both executors take the tasks to run and yield ``(task, record)`` as tasks finish, in
completion order; the coordinating process stores each record (workers never touch the
database).  Both keep a bounded number of tasks in flight (one per local worker; a few per
Dask worker), so a campaign of many thousands of tasks does not queue them all at once,
and an interrupted campaign loses at most the tasks in flight.

A task with a ``timeout`` that runs longer is stopped and yields a record with status
``timeout`` (:func:`~proofs_check.campaign.tasks.timeout_record`): locally its worker
process is killed and replaced; on Dask the task runs in a child process of its Dask
worker (:func:`execute_with_timeout`), which the worker kills at the timeout and replaces
for its next timed task.  The Dask worker itself is never killed: restarting it through its
nanny went wrong two ways.  The scheduler, seeing the cancelled task's thread as free, sent
the worker the next task, which died with the restart (three such deaths fail a task with
``KilledWorker``); and a ``LocalCluster`` closes for good the nanny of a worker that has not
re-registered within ``distributed.deploy.lost-worker-timeout`` (15 s), which a restart
(a new process importing proofs-check) exceeds on a loaded machine, so the cluster lost
its workers and the next restart waited for them in vain.

Local processes never outlive the coordinator: closing the executor (normal end, an
exception, SIGINT or SIGTERM turned into ``KeyboardInterrupt``) terminates them, and each
worker also exits by itself within a second if its parent dies without cleaning up (SIGKILL).
"""
from __future__ import annotations

import itertools
import multiprocessing
import os
import pickle
import platform
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections import deque
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import connection

from proofs_check.campaign.tasks import execute, timeout_record
from proofs_check.errors import UsageError

__all__ = ["local_results", "dask_results", "execute_with_timeout", "timed_task_child_main", "ExecutionError",
           "IN_FLIGHT_PER_WORKER"]


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


def _import_task_code() -> None:
    """Import what every task needs (the claim registry and the numeric layer) before a
    worker reports ready: a task's timeout clock starts when it is sent, and should time
    the task, not these imports (seconds on a loaded machine)."""
    import proofs_check.claims  # noqa: F401


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

    _import_task_code()
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
                        message, payload = worker.conn.recv()
                    except (EOFError, OSError):
                        message = payload = None
                    if message == "ready":
                        worker.ready = True
                        continue
                    if message == "record":
                        finished.append((worker.task, payload))
                        worker.task = None
                        continue
                if worker.process.sentinel in ready or (worker.conn in ready and message is None):
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
                call = (execute, task.task, task.canonical) if task.timeout is None else (
                    execute_with_timeout, task.task, task.canonical, task.timeout)
                future = self.client.submit(*call, key=f"proofs-check-{task.key}", pure=False, retries=0)
                self.live[future.key] = (task, future)

        submit(workers * (1 + IN_FLIGHT_PER_WORKER))
        while self.live:
            with self.client.as_current():  # the client is not the process-wide default
                done = wait_for([future for _, future in self.live.values()], return_when="FIRST_COMPLETED").done
            finished = []
            for future in done:
                task, _ = self.live.pop(future.key)
                finished.append((task, future.result()))
                future.release()
            for task, record in finished:
                yield task, record
                submit(1)

    def close(self):
        try:
            if self.live:
                self.client.cancel([future for _, future in self.live.values()])
        finally:
            self.client.close()


# -- timed tasks on Dask: a child process of the worker ------------------------------------

_FRAME = struct.Struct("!Q")  # the length of the pickled message that follows
_CHILD_COMMAND = "from proofs_check.campaign.executors import timed_task_child_main; timed_task_child_main()"


def _write_frame(fd: int, message) -> None:
    payload = pickle.dumps(message)
    data = memoryview(_FRAME.pack(len(payload)) + payload)
    while data:
        data = data[os.write(fd, data):]


def _read_exactly(fd: int, n: int) -> bytes:
    chunks = []
    while n:
        chunk = os.read(fd, n)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _read_frame(fd: int):
    (n,) = _FRAME.unpack(_read_exactly(fd, _FRAME.size))
    return pickle.loads(_read_exactly(fd, n))


def timed_task_child_main() -> None:
    """The child process that runs a Dask worker's timed tasks, one at a time: requests
    arrive on stdin, records leave on the file descriptor ``argv[1]``; it exits when stdin
    closes or when the worker (``argv[2]``, its parent) dies."""
    out_fd, parent_pid = int(sys.argv[1]), int(sys.argv[2])
    _worker_init(parent_pid)
    requests = sys.stdin.buffer.fileno()
    _import_task_code()
    _write_frame(out_fd, "ready")
    while True:
        try:
            task, canonical = _read_frame(requests)
        except EOFError:
            return
        _write_frame(out_fd, execute(task, canonical))


class _TimedTaskChild:
    """A child process of this Dask worker and the pipes to it.  Started with ``subprocess``,
    not ``multiprocessing``: a nanny's worker process is daemonic, and multiprocessing lets
    no daemonic process have children."""

    def __init__(self):
        records, child_end = os.pipe()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}  # the worker's imports
        self.process = subprocess.Popen([sys.executable, "-c", _CHILD_COMMAND, str(child_end), str(os.getpid())],
                                        stdin=subprocess.PIPE, pass_fds=(child_end,), env=env)
        os.close(child_end)
        self.records = records
        self.ready = False

    def wait_readable(self, timeout: float | None) -> bool:
        return bool(select.select([self.records], [], [], timeout)[0])

    def receive(self):
        try:
            return _read_frame(self.records)
        except EOFError:
            self.process.wait()
            raise ExecutionError(f"the process running timed tasks for this Dask worker (pid {self.process.pid}) "
                                 f"died with exit code {self.process.returncode}") from None

    def send(self, task: str, canonical: str) -> None:
        _write_frame(self.process.stdin.fileno(), (task, canonical))

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        self.process.stdin.close()
        os.close(self.records)


_TIMED_TASK_CHILD = threading.local()  # per Dask worker thread: its _TimedTaskChild


def execute_with_timeout(task: str, canonical: str, timeout: float) -> dict:
    """Run one task as :func:`~proofs_check.campaign.tasks.execute` does, in a child process
    of this (Dask worker) process, and kill the child if the task runs past ``timeout``
    seconds: the record then has status ``timeout``.  The child is kept for the thread's
    next timed task (a killed one is replaced); as a local worker's, its clock starts when
    the task is sent, after the child has imported the task code."""
    child = getattr(_TIMED_TASK_CHILD, "child", None)
    if child is None or child.process.poll() is not None:
        child = _TIMED_TASK_CHILD.child = _TimedTaskChild()
    if not child.ready:
        child.ready = child.receive() == "ready"
    sent, sent_wall = time.monotonic(), time.time()
    child.send(task, canonical)
    if child.wait_readable(timeout):
        return child.receive()
    seconds = time.monotonic() - sent
    _TIMED_TASK_CHILD.child = None
    child.stop()
    return timeout_record(canonical, timeout, sent_wall, seconds, f"{platform.node()}:{child.process.pid}")
