"""A pytest plugin that reports each test's CPU seconds next to its wall seconds.

On a shared machine a test's wall time says more about the load than about the test; the
CPU seconds it used (this process plus the child processes it waited for: CLI subprocesses,
spawned campaign workers once they are joined) are what an idle CI machine would spend.

    PYTHONPATH=.ci python -m pytest -m slow -p cpu_durations --cpu-durations=15 [--cpu-durations-json=FILE]

prints the top N tests by CPU seconds at the end of the run, and the totals; with
``--cpu-durations-json`` it also writes every test's numbers to FILE (JSON, written
atomically).  Process CPU time that no test accounts for (collection, session fixtures
shared by several tests) is listed as ``(outside tests)``.
"""
from __future__ import annotations

import json
import os
import resource
import tempfile
import time

import pytest

_RECORDS: dict = {}
_START: dict = {}


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def pytest_addoption(parser):
    group = parser.getgroup("cpu-durations")
    group.addoption("--cpu-durations", type=int, default=15, metavar="N",
                    help="show the N tests that used the most CPU seconds (0: all)")
    group.addoption("--cpu-durations-json", default=None, metavar="FILE",
                    help="write every test's wall and CPU seconds to FILE")


def pytest_sessionstart(session):
    _START["cpu"], _START["wall"] = _cpu_seconds(), time.monotonic()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    cpu, wall = _cpu_seconds(), time.monotonic()
    yield
    _RECORDS[item.nodeid] = {"cpu": _cpu_seconds() - cpu, "wall": time.monotonic() - wall}


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    total_cpu = _cpu_seconds() - _START["cpu"]
    total_wall = time.monotonic() - _START["wall"]
    ranked = sorted(_RECORDS.items(), key=lambda kv: -kv[1]["cpu"])
    n = config.getoption("--cpu-durations")
    write = terminalreporter.write_line
    write("")
    write(f"==== CPU seconds per test (top {n or len(ranked)} of {len(ranked)}) ====")
    write(f"{'cpu s':>9} {'wall s':>9}  test")
    for nodeid, r in ranked[: n or None]:
        write(f"{r['cpu']:9.1f} {r['wall']:9.1f}  {nodeid}")
    in_tests = sum(r["cpu"] for r in _RECORDS.values())
    write(f"{total_cpu - in_tests:9.1f} {'':>9}  (outside tests: collection, shared fixtures)")
    write(f"{total_cpu:9.1f} {total_wall:9.1f}  total (CPU seconds, wall seconds) on {os.cpu_count()} cores")
    path = config.getoption("--cpu-durations-json")
    if path:
        data = {"total_cpu": total_cpu, "total_wall": total_wall, "tests": _RECORDS}
        folder = os.path.dirname(os.path.abspath(path))
        with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp") as out:
            json.dump(data, out, indent=1, sort_keys=True)
        os.replace(out.name, path)
