"""Campaign specs: a TOML file listing grids of task inputs.

A spec names the campaign and lists ``[[tasks]]`` tables.  Each table's ``kind`` key
names the task type to run; every other key is one of that task type's parameters.  A scalar fixes the
parameter; a list makes it an axis of the grid, and the table expands to the Cartesian
product of its axes::

    name = "claims_over_seeds"

    [[tasks]]
    kind = "claim_check"
    claim = ["zgj.lemma11", "zgj.lemmaD2"]   # axis
    samples = 4                              # fixed
    seed = [0, 1, 2]                         # axis: 2 x 3 = 6 tasks

An integer axis may be written as a range, ``seed = {range = [0, 100]}`` (start, stop and an
optional step, as Python's ``range``).

``timeout = SECONDS`` at the top level applies to every task of the campaign, in a
``[[tasks]]`` table to that table's tasks (it overrides the top-level one): a task running
longer is stopped, its process killed, and stored with status ``timeout``.  The timeout is
not part of a task's key (a task listed in two tables runs once, with the first table's
timeout).

Errors name the file and the key (``spec.toml: tasks[1].seed: -1 must be a non-negative
integer``) and are input errors (exit code 2).
"""
from __future__ import annotations

import itertools
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

from numeric.memory import require_memory
from proofs_check.campaign.tasks import REQUIRED, TASKS, TaskInputs
from proofs_check.errors import UsageError

__all__ = ["SpecError", "TaskGrid", "CampaignSpec", "load_spec", "parse_spec", "grid_size", "BYTES_PER_TASK"]


class SpecError(UsageError):
    """A malformed campaign spec; the message names the file and the key."""


@dataclass(frozen=True)
class TaskGrid:
    """One ``[[tasks]]`` table: a task type (the table's ``kind`` key), its fixed inputs and
    its axes.

    ``fixed`` and ``axes`` are tuples of ``(name, value)`` and ``(name, (values, ...))`` in
    the order the task type declares its parameters.
    """

    task_type: str
    fixed: tuple
    axes: tuple
    timeout: float | None = None

    def points(self) -> list:
        """The grid's tasks, in the order of the axes (the last axis varies fastest)."""
        return list(self.iter_points())

    def iter_points(self):
        """:meth:`points`, one at a time."""
        names = [name for name, _ in self.axes]
        normalize = TASKS[self.task_type].normalize
        for values in itertools.product(*(vals for _, vals in self.axes)):
            inputs = dict(self.fixed)
            inputs.update(zip(names, values))
            yield TaskInputs(self.task_type, tuple(sorted(normalize(inputs).items())), self.timeout)


@dataclass(frozen=True)
class CampaignSpec:
    """A named campaign: its grids and, expanded, its distinct tasks."""

    name: str
    grids: tuple

    def tasks(self, on_point=None) -> list:
        """Every distinct task, in spec order (a task listed twice runs once);
        ``on_point()`` is called after each grid point (for progress)."""
        seen, out = set(), []
        for grid in self.grids:
            for task in grid.iter_points():
                if task.key not in seen:
                    seen.add(task.key)
                    out.append(task)
                if on_point is not None:
                    on_point()
        return out

    def size(self) -> int:
        """The number of grid points, duplicates counted, without expanding the grids."""
        return sum(grid_size(g) for g in self.grids)


#: Bytes one planned task takes while the campaign runs (its inputs, key and database rows;
#: measured about 1.3 kB for a stationary task, with headroom).
BYTES_PER_TASK = 4096


def load_spec(path, max_tasks: int | None = None) -> CampaignSpec:
    """Read and validate a spec file (UTF-8 TOML); a grid of more than ``max_tasks`` tasks
    is refused before it is expanded (None: any number)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError(f"cannot read campaign spec {str(path)!r}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{path.name}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start});"
                        " a TOML spec must be UTF-8") from None
    return parse_spec(text, source=path.name, max_tasks=max_tasks)


def grid_size(grid: "TaskGrid") -> int:
    """The number of points of a grid (before duplicates are merged), without expanding it."""
    return math.prod(len(values) for _, values in grid.axes)


def parse_spec(text: str, source: str = "spec", max_tasks: int | None = None) -> CampaignSpec:
    """Parse spec text; ``source`` prefixes error messages.

    >>> spec = parse_spec('name = "s"\\n[[tasks]]\\nkind = "claim_check"\\nclaim = "zgj.lemma11"\\nseed = [0, 1]')
    >>> [t.as_dict()["seed"] for t in spec.tasks()]
    [0, 1]
    >>> parse_spec('name = "s"\\n[[tasks]]\\nkind = "claim_check"\\nclaim = "zgj.lemma11"\\nseed = -1')
    Traceback (most recent call last):
    ...
    proofs_check.campaign.spec.SpecError: spec: tasks[0].seed: -1 must be a non-negative integer
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{source}: malformed TOML: {exc}") from None
    unknown = sorted(set(data) - {"name", "timeout", "tasks"})
    if unknown:
        raise SpecError(f"{source}: unknown top-level key {unknown[0]!r} "
                        "(expected 'name', 'timeout' and [[tasks]] tables)")
    timeout = _timeout(data, source)
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SpecError(f"{source}: name: a campaign needs a non-empty name = \"...\"")
    tables = data.get("tasks")
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        raise SpecError(f"{source}: tasks: the spec needs at least one [[tasks]] table")
    grids = tuple(_grid(table, f"{source}: tasks[{i}]", timeout, max_tasks) for i, table in enumerate(tables))
    total = sum(grid_size(g) for g in grids)
    if max_tasks is not None and total > max_tasks:
        raise SpecError(f"{source}: the grid has {total} tasks, above the limit of {max_tasks}"
                        " (--no-limits lifts it)")
    require_memory(f"{source}: a campaign grid of {total} tasks", total * BYTES_PER_TASK)
    return CampaignSpec(name=name.strip(), grids=grids)


def _timeout(table: dict, where: str, default: float | None = None) -> float | None:
    """``table["timeout"]`` in seconds (a positive number), else ``default``."""
    if "timeout" not in table:
        return default
    value = table["timeout"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or value == float("inf"):
        prefix = f"{where}." if where.endswith("]") else f"{where}: "
        raise SpecError(f"{prefix}timeout: {value!r} must be a positive number of seconds")
    return float(value)


def _grid(table: dict, where: str, timeout: float | None = None, max_tasks: int | None = None) -> TaskGrid:
    timeout = _timeout(table, where, timeout)
    table = {k: v for k, v in table.items() if k != "timeout"}
    type_name = table.get("kind")  # the TOML key users write names the task type
    if type_name not in TASKS:
        raise SpecError(f"{where}.kind: {type_name!r} is not a task kind; known: {', '.join(sorted(TASKS))}")
    task_type = TASKS[type_name]
    known = {p.name for p in task_type.parameters}
    for key in table:
        if key != "kind" and key not in known:
            raise SpecError(f"{where}.{key}: not a parameter of {type_name} "
                            f"(parameters: {', '.join(p.name for p in task_type.parameters)})")
    fixed, axes = [], []
    for p in task_type.parameters:
        if p.name not in table:
            if p.default is REQUIRED:
                raise SpecError(f"{where}.{p.name}: missing ({p.doc})")
            fixed.append((p.name, p.default))
            continue
        value = table[p.name]
        if isinstance(value, dict):
            value = _range(value, f"{where}.{p.name}", max_tasks)
        if isinstance(value, list):
            if not value:
                raise SpecError(f"{where}.{p.name}: an empty list gives no tasks")
            axes.append((p.name, tuple(_validate(p, v, f"{where}.{p.name}[{k}]")
                                       for k, v in enumerate(value))))
        else:
            fixed.append((p.name, _validate(p, value, f"{where}.{p.name}")))
    grid = TaskGrid(task_type=type_name, fixed=tuple(fixed), axes=tuple(axes), timeout=timeout)
    if max_tasks is not None and grid_size(grid) > max_tasks:  # before its points are made
        raise SpecError(f"{where}: the grid has {grid_size(grid)} tasks, above the limit of {max_tasks}"
                        " (--no-limits lifts it)")
    try:
        grid.points()  # derived inputs (m = "2r", d) are checked at every point now, not in a worker
    except ValueError as exc:
        raise SpecError(f"{where}.{exc}") from None
    return grid


def _range(value: dict, where: str, max_tasks: int | None = None) -> list:
    bounds = value.get("range")
    if set(value) != {"range"} or not isinstance(bounds, list) or not 2 <= len(bounds) <= 3 or not all(
            isinstance(b, int) and not isinstance(b, bool) for b in bounds):
        raise SpecError(f"{where}: a table must be {{range = [start, stop]}} or {{range = [start, stop, step]}} "
                        f"of integers, got {value!r}")
    if len(bounds) == 3 and bounds[2] == 0:
        raise SpecError(f"{where}: range step must not be 0")
    values = range(*bounds)
    if max_tasks is not None and len(values) > max_tasks:  # before the list is made
        raise SpecError(f"{where}: the range has {len(values)} values, above the limit of {max_tasks}"
                        " tasks (--no-limits lifts it)")
    require_memory(f"{where}: a range of {len(values)} values", 64 * len(values))
    return list(values)


def _validate(p, value, where: str):
    """The value, checked (a float parameter given as an integer becomes a float, so that
    ``Delta = 1`` and ``Delta = 1.0`` are the same task)."""
    json_types = p.json_type if isinstance(p.json_type, tuple) else (p.json_type,)
    ok_type = isinstance(value, json_types) and not isinstance(value, bool)
    if float in json_types and isinstance(value, int) and not isinstance(value, bool):
        ok_type = True
    if not ok_type:
        names = " or ".join({str: "a string", int: "an integer", float: "a number"}.get(t, t.__name__) for t in json_types)
        raise SpecError(f"{where}: {value!r} must be {names} ({p.doc})")
    if isinstance(value, float) and not math.isfinite(value):
        raise SpecError(f"{where}: {value!r} is not a finite number ({p.doc})")
    problem = p.check(value) if p.check is not None else None
    if problem:
        raise SpecError(f"{where}: {value!r} {problem}")
    return float(value) if json_types == (float,) else value
