"""The campaign database: SQLite (standard library), WAL mode, one writer per campaign.

Tables
------
``tasks``
    one row per task, keyed by the SHA-256 of its canonical inputs: ``kind`` (the task
    type; the column keeps its name so that existing databases stay readable), ``inputs``
    (canonical JSON), ``status`` (``done``, ``failed``, or ``timeout``: stopped after its
    timeout, its process killed), ``error``, ``started`` and
    ``finished`` (Unix seconds), ``seconds`` (duration), ``versions`` (JSON: proofs-check,
    python-flint, mpmath, sympy, numpy, python), ``worker`` (host:pid), ``result`` (JSON).
    A row is written once, when its task has finished, in one transaction together with its
    findings: a killed campaign leaves finished rows whole and no half-written ones.
``findings``
    configurations and certificates found by a task (``task_key``, ``kind``: the finding
    type, ``label``, ``loss``, ``data`` JSON), unique per ``(task_key, kind, label)``.
``campaign_tasks``
    which campaign asked for which task (a task shared by two campaigns is computed once).

Only the coordinating process writes; workers return records (see
:func:`proofs_check.campaign.tasks.execute`).  Several campaigns may write one database at
the same time: SQLite serialises their short transactions (``busy_timeout``).
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from proofs_check.errors import UsageError

__all__ = ["Store", "SCHEMA_VERSION", "open_store"]

SCHEMA_VERSION = 2  # 2: status 'timeout' (a schema-1 database is upgraded when opened)

_TASKS_TABLE = """
CREATE TABLE IF NOT EXISTS {name} (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    inputs TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('done', 'failed', 'timeout')),
    error TEXT,
    started REAL NOT NULL,
    finished REAL NOT NULL,
    seconds REAL NOT NULL,
    versions TEXT NOT NULL,
    worker TEXT,
    result TEXT
);
"""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
""" + _TASKS_TABLE.format(name="tasks") + """
CREATE TABLE IF NOT EXISTS findings (
    id INTEGER PRIMARY KEY,
    task_key TEXT NOT NULL REFERENCES tasks(key),
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    loss TEXT,
    data TEXT NOT NULL,
    UNIQUE (task_key, kind, label)
);
CREATE TABLE IF NOT EXISTS campaign_tasks (
    campaign TEXT NOT NULL,
    task_key TEXT NOT NULL,
    PRIMARY KEY (campaign, task_key)
);
CREATE INDEX IF NOT EXISTS tasks_kind ON tasks(kind);
"""

#: Seconds a writer waits for another campaign's transaction before giving up.
BUSY_TIMEOUT_S = 120


class Store:
    """A connection to a campaign database (create it with :func:`open_store`)."""

    def __init__(self, connection: sqlite3.Connection, path: Path):
        self._db = connection
        self.path = path

    def close(self) -> None:
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- planning ---------------------------------------------------------------------------

    def register(self, campaign: str, tasks, on_chunk=None) -> None:
        """Record that ``campaign`` asks for ``tasks`` (idempotent, one transaction);
        ``on_chunk(n)`` is called after each chunk of ``n`` tasks (for progress)."""
        tasks = list(tasks)
        with self._write():
            for i in range(0, len(tasks), 5000):
                chunk = tasks[i:i + 5000]
                self._db.executemany(
                    "INSERT OR IGNORE INTO campaign_tasks (campaign, task_key) VALUES (?, ?)",
                    [(campaign, t.key) for t in chunk])
                if on_chunk is not None:
                    on_chunk(len(chunk))

    def finished_keys(self, keys, *, include_failed: bool = True, include_timeouts: bool = True) -> set:
        """The keys among ``keys`` that already have a row (``done``, ``failed`` unless
        ``include_failed`` is false and ``timeout`` unless ``include_timeouts`` is false, so
        that those tasks are run again)."""
        statuses = ("done",) + (("failed",) if include_failed else ()) + (("timeout",) if include_timeouts else ())
        found = set()
        keys = list(keys)
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            rows = self._db.execute(
                f"SELECT key FROM tasks WHERE status IN ({','.join('?' * len(statuses))}) "
                f"AND key IN ({','.join('?' * len(chunk))})", (*statuses, *chunk))
            found.update(k for (k,) in rows)
        return found

    # -- writing ----------------------------------------------------------------------------

    def record(self, task, record: dict, findings=()) -> bool:
        """Store a finished task and its findings in one transaction.

        A ``done`` row is never replaced; a ``failed`` or ``timeout`` row is replaced by a
        new record (a retry).  Returns whether the row was written (False: another campaign had already
        stored this task as done).
        """
        with self._write():
            cur = self._db.execute(
                "INSERT INTO tasks (key, kind, inputs, status, error, started, finished, seconds,"
                " versions, worker, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET status = excluded.status, error = excluded.error,"
                " started = excluded.started, finished = excluded.finished, seconds = excluded.seconds,"
                " versions = excluded.versions, worker = excluded.worker, result = excluded.result"
                " WHERE tasks.status IN ('failed', 'timeout')",
                (task.key, task.task, task.canonical, record["status"], record["error"],
                 record["started"], record["finished"], record["seconds"],
                 json.dumps(record["versions"], sort_keys=True), record["worker"],
                 None if record["result"] is None else json.dumps(record["result"], sort_keys=True)))
            written = cur.rowcount == 1
            if written:
                self._db.execute("DELETE FROM findings WHERE task_key = ?", (task.key,))
                self._db.executemany(
                    "INSERT INTO findings (task_key, kind, label, loss, data) VALUES (?, ?, ?, ?, ?)",
                    [(task.key, f.finding_type, f.label, f.loss, json.dumps(f.data, sort_keys=True))
                     for f in findings])
        return written

    def _write(self):
        """A write transaction taken at once (BEGIN IMMEDIATE), committed or rolled back."""
        return _Immediate(self._db)

    # -- reading ----------------------------------------------------------------------------

    def rows(self, task_type: str | None = None, status: str | None = None) -> list:
        """Task rows as dicts (inputs, versions and result decoded), ordered by key; a row's
        ``kind`` is its task type."""
        sql, args = "SELECT * FROM tasks", []
        where = []
        if task_type is not None:
            where.append("kind = ?")
            args.append(task_type)
        if status is not None:
            where.append("status = ?")
            args.append(status)
        if where:
            sql += " WHERE " + " AND ".join(where)
        out = []
        for row in self._db.execute(sql + " ORDER BY key", args):
            d = dict(row)
            d["inputs"] = json.loads(d["inputs"])["inputs"]
            d["versions"] = json.loads(d["versions"])
            d["result"] = None if d["result"] is None else json.loads(d["result"])
            out.append(d)
        return out

    def findings(self, finding_type: str | None = None) -> list:
        """Finding rows as dicts (data decoded, with their task's inputs); a row's ``kind``
        is its finding type."""
        sql = "SELECT f.*, t.inputs AS task_inputs FROM findings f JOIN tasks t ON t.key = f.task_key"
        rows = self._db.execute(sql + (" WHERE f.kind = ?" if finding_type else "") + " ORDER BY f.task_key, f.kind, f.label",
                                (finding_type,) if finding_type else ())
        out = []
        for row in rows:
            d = dict(row)
            d["data"] = json.loads(d["data"])
            d["task_inputs"] = json.loads(d["task_inputs"])["inputs"]
            out.append(d)
        return out

    def campaigns(self) -> list:
        """Per campaign: tasks asked for, done, failed, timed out, not yet run, and the
        seconds its tasks ran (each task's wall time in its worker)."""
        rows = self._db.execute(
            "SELECT c.campaign AS campaign, COUNT(*) AS tasks,"
            " SUM(t.status = 'done') AS done, SUM(t.status = 'failed') AS failed,"
            " SUM(t.status = 'timeout') AS timeout,"
            " SUM(t.key IS NULL) AS pending, COALESCE(SUM(t.seconds), 0) AS seconds"
            " FROM campaign_tasks c LEFT JOIN tasks t ON t.key = c.task_key"
            " GROUP BY c.campaign ORDER BY c.campaign")
        return [{k: (v or 0) if k != "campaign" else v for k, v in dict(r).items()} for r in rows]


class _Immediate:
    def __init__(self, db):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *rest):
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")


def _upgrade_from_1(db) -> None:
    """Schema 1 -> 2: the status check admits ``timeout``.  SQLite cannot alter a CHECK
    constraint, so the table is copied into a new one in one transaction (rows and keys
    unchanged), with foreign keys off meanwhile (SQLite's documented procedure)."""
    db.execute("PRAGMA foreign_keys=OFF")
    try:
        with _Immediate(db):
            if db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()[0] != "1":
                return  # another process upgraded it meanwhile
            db.execute(_TASKS_TABLE.format(name="tasks_schema2"))
            db.execute("INSERT INTO tasks_schema2 SELECT * FROM tasks")
            db.execute("DROP TABLE tasks")
            db.execute("ALTER TABLE tasks_schema2 RENAME TO tasks")
            db.execute("CREATE INDEX IF NOT EXISTS tasks_kind ON tasks(kind)")
            db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(SCHEMA_VERSION),))
    finally:
        db.execute("PRAGMA foreign_keys=ON")


def open_store(path, *, create: bool = True) -> Store:
    """Open (and create, with its folder) a campaign database in WAL mode.

    ``create=False`` refuses a missing file (for ``campaign show``).  A file that is not a
    campaign database is refused with a message naming it.
    """
    path = Path(path)
    if not create and not path.is_file():
        raise UsageError(f"--db {str(path)!r}: no campaign database there (run a campaign first)")
    if create and not path.parent.is_dir():
        raise UsageError(f"--db {str(path)!r}: the directory {str(path.parent)!r} does not exist"
                         " (create it first)")
    try:
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        db.row_factory = sqlite3.Row
        _refuse_corrupt_or_foreign(db, path, create)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.executescript(_SCHEMA)
        db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        (version,) = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if version == "1":
            _upgrade_from_1(db)
            version = str(SCHEMA_VERSION)
    except sqlite3.DatabaseError as exc:
        raise UsageError(f"--db {str(path)!r} is not a usable campaign database: {exc}") from None
    except OSError as exc:
        raise UsageError(f"--db {str(path)!r} cannot be opened: {exc.strerror or exc}") from None
    if int(version) != SCHEMA_VERSION:
        db.close()
        raise UsageError(f"--db {str(path)!r} has schema {version}; this proofs-check writes schema {SCHEMA_VERSION}")
    return Store(db, path)


def _refuse_corrupt_or_foreign(db, path: Path, create: bool) -> None:
    """Refuse, naming the file and which it is, a database whose pages are damaged
    (``PRAGMA quick_check``) or one that holds tables of something else; our tables are
    added only to an empty file or to a campaign database."""
    try:
        problems = [row[0] for row in db.execute("PRAGMA quick_check(3)")]
    except sqlite3.DatabaseError as exc:
        raise UsageError(f"--db {str(path)!r} is not an SQLite database or is corrupt: {exc}") from None
    if problems != ["ok"]:
        raise UsageError(f"--db {str(path)!r} is a corrupt SQLite database ({problems[0]}); "
                         "restore it from a copy, or give a new --db")
    tables = sorted(r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
    ours = "meta" in tables and db.execute(
        "SELECT 1 FROM meta WHERE key = 'schema'").fetchone() is not None if "meta" in tables else False
    if tables and not ours:
        shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        raise UsageError(f"--db {str(path)!r} is an SQLite database of something else (tables {shown}), "
                         "not a campaign database; give another --db")
    if not tables and not create:
        raise UsageError(f"--db {str(path)!r} is an empty SQLite database, not a campaign database "
                         "(run a campaign first)")
