"""Open the DuckDB warehouse, apply migrations, and hold the write lock only while writing.

DuckDB allows one writing process or many reading processes on a file, never both. gigawatch
writers therefore open the file per batch (``writer()``), so that readers (``gigawatch query``,
an analyst's DuckDB shell) get in between batches, and wait with bounded retries when another
process holds the file.
"""

from __future__ import annotations

import errno
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

DEFAULT_LOCK_TIMEOUT = 60.0


class WarehouseBusy(RuntimeError):
    """Another process holds the database file for longer than we were willing to wait."""


class WarehouseUnwritable(RuntimeError):
    """The filesystem of the warehouse refused a write: full, over quota, read-only or not
    ours. What was committed before stays intact; the batch being written is rolled back."""


_REFUSED = {
    errno.ENOSPC: "No space left on device",
    errno.EDQUOT: "Disk quota exceeded",
    errno.EROFS: "Read-only file system",
    errno.EACCES: "Permission denied",
}


def unwritable(exc: BaseException, path: str | Path) -> WarehouseUnwritable | None:
    """A one-line error naming ``path`` when ``exc`` (or an exception it was raised from or
    while handling) is a write the filesystem refused, else None. DuckDB reports these as
    ``duckdb.Error`` with the operating system's message in its text."""
    seen: BaseException | None = exc
    while seen is not None:
        reason = None
        if isinstance(seen, OSError) and seen.errno in _REFUSED:
            reason = _REFUSED[seen.errno]
        elif isinstance(seen, duckdb.Error):
            reason = next((r for r in _REFUSED.values() if r.lower() in str(seen).lower()), None)
        if reason:
            detail = " ".join(str(seen).split())
            return WarehouseUnwritable(
                f"cannot write the warehouse {path}: {reason} ({detail}). Batches stored "
                "before are intact; make room or make it writable, then run again."
            )
        seen = seen.__cause__ or seen.__context__
    return None


def _sql_files(folder: str) -> list[tuple[str, str]]:
    root = resources.files("warehouse") / folder
    files = sorted((p for p in root.iterdir() if p.name.endswith(".sql")), key=lambda p: p.name)
    return [(p.name, p.read_text(encoding="utf-8")) for p in files]


def read_sql(name: str) -> str:
    """Text of ``warehouse/sql/<name>.sql``."""
    return (resources.files("warehouse") / "sql" / f"{name}.sql").read_text(encoding="utf-8")


def sql_statements(name: str) -> list[str]:
    """The statements of ``warehouse/sql/<name>.sql``, to run one by one; comments are dropped
    first (they may hold a ';'). No statement there has '--' inside a string."""
    sql = re.sub(r"--[^\n]*", "", read_sql(name))
    return [s.strip() for s in sql.split(";") if s.strip()]


def _is_lock_error(exc: Exception) -> bool:
    msg = str(exc).lower()
    return "lock" in msg or "conflicting" in msg or "being used by another" in msg


def connect(
    path: str | Path,
    *,
    read_only: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    config: dict[str, Any] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open ``path``, retrying while another process holds it, up to ``lock_timeout`` seconds.

    ``config`` holds DuckDB settings applied at start-up (the SQL sandbox's limits)."""
    path = Path(path)
    if read_only and not path.exists():
        raise FileNotFoundError(f"no database at {path}: run `gigawatch run` or `gigawatch demo`")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + lock_timeout
    delay = 0.05
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config or {})
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"{path} is held by another process (gave up after {lock_timeout:.0f} s): {exc}"
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending migrations in order, record them, re-create every view, and rebuild the
    trend tables when the SQL computing them changed (``warehouse.trend_store``).

    Returns the names of the migrations applied now.
    """
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " name VARCHAR PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    done = {row[0] for row in con.execute("SELECT name FROM schema_migrations").fetchall()}
    applied: list[str] = []
    for name, sql in _sql_files("migrations"):
        if name in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations (name) VALUES (?)", [name])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(name)
    for _name, sql in _sql_files("views"):
        con.execute(sql)
    from warehouse import trend_store  # imports read_sql from here

    trend_store.ensure_current(con)
    return applied


def ensure_schema(path: str | Path, lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> list[str]:
    """Create or upgrade the warehouse at ``path``."""
    con = connect(path, lock_timeout=lock_timeout)
    try:
        return migrate(con)
    finally:
        con.close()


@contextmanager
def writer(
    path: str | Path, lock_timeout: float = DEFAULT_LOCK_TIMEOUT
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection inside one transaction: committed on success, rolled back on any error,
    and closed either way so the file is free for readers between batches."""
    con = connect(path, lock_timeout=lock_timeout)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
    finally:
        con.close()


@contextmanager
def run_lock(path: str | Path, timeout: float = DEFAULT_LOCK_TIMEOUT) -> Iterator[None]:
    """Hold ``<db>.lock`` for a whole writing run, so two writers never interleave batches.

    Readers never take it. The operating system releases it if the holder dies.
    """
    from filelock import FileLock, Timeout

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(f"{path}.lock")
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise WarehouseBusy(
            f"another gigawatch run is writing {path}; waited {timeout:.0f} s for it "
            "(raise --lock-timeout to wait longer)"
        ) from None
    try:
        yield
    finally:
        lock.release()
