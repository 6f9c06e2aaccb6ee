"""Open the DuckDB warehouse, apply migrations, and hold the write lock only while writing.

``warehouse.schema.ensure_schema`` creates or upgrades a warehouse: the migrations and views
here, then the derived tables of each store (the dedupe state, the trend tables).

DuckDB allows one writing process or many reading processes on a file, never both. gigawatch
writers therefore open the file per batch (``writer()``), so that readers (``gigawatch query``,
an analyst's DuckDB shell) get in between batches, and wait with bounded retries when another
process holds the file.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from gigawatch.settings import DEFAULT_LOCK_TIMEOUT as DEFAULT_LOCK_TIMEOUT  # re-exported
from warehouse import lake_fs
from warehouse.sqlfiles import read_derived, split_statements, sql_files
from warehouse.sqlfiles import read_sql as read_sql  # re-exported: callers import it from here
from warehouse.sqlfiles import sql_statements as sql_statements  # re-exported too


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

    ``config`` holds DuckDB settings applied at start-up (the SQL sandbox's limits). On the
    catalogue of a lake on an object store, the lake's fsspec filesystem is registered
    (``warehouse.lake_fs.register``)."""
    path = Path(path)
    if read_only and not path.exists():
        raise FileNotFoundError(f"no database at {path}: run `gigawatch run` or `gigawatch demo`")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + lock_timeout
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only, config=config or {})
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"{path} is held by another process (gave up after {lock_timeout:.0f} s): {exc}"
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
            continue
        try:
            lake_fs.register(con)  # a lake catalogue on an object store: its filesystem
        except BaseException:
            con.close()
            raise
        return con


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the pending ``migrations/*.sql`` in order, each in its own transaction, and
    record them in ``schema_migrations``. Migrations are append-only: a file applied once is
    never run again, so it is never edited; derived tables are not migrated (``schema.py``).

    Returns the names of the migrations applied now.
    """
    for stmt in sql_statements("schema/migrations_table"):
        con.execute(stmt)
    done = {row[0] for row in con.execute(read_sql("schema/migrations_done")).fetchall()}
    applied: list[str] = []
    for name, sql in sql_files("migrations"):
        if name in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute(read_sql("schema/migration_record"), {"name": name})
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied


def create_views(con: duckdb.DuckDBPyConnection, macros_only: bool = False) -> None:
    """(Re-)create the macros and views of ``views/*.sql``, in file-name order; with
    ``macros_only``, only the macros (``00_*.sql``), which the derived tables' SQL uses."""
    for name, sql in sql_files("views"):
        if not macros_only or name.startswith("00_"):
            con.execute(sql)


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending migrations and re-create the macros; returns the migrations applied now.

    The derived tables (dedupe state, trend tables) are the stores' business:
    ``warehouse.schema.migrate`` runs this, brings each of them up to date, then re-creates
    every view (a view may read a column a derived table gained in this upgrade).
    """
    applied = apply_migrations(con)
    create_views(con, macros_only=True)
    return applied


# --- derived tables: rebuilt from warehouse/derived/<name>.sql, versioned in derived_state --


def derived_version(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    """The digest the derived tables ``name`` were built with, None if never (or before
    migration 0007)."""
    if not table_exists(con, "derived_state"):
        return None
    row = con.execute(read_sql("schema/derived_version"), {"name": name}).fetchone()
    return row[0] if row else None


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether ``table`` exists, asked without an error (an error aborts a transaction)."""
    return bool(con.execute(read_sql("schema/table_exists"), {"table": table}).fetchone()[0])


def set_derived_version(con: duckdb.DuckDBPyConnection, name: str, version: str) -> None:
    con.execute(read_sql("schema/derived_record"), {"name": name, "version": version})


def reset_derived(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Drop the derived tables ``name`` and create them empty from ``derived/<name>.sql``,
    in the caller's transaction; the caller fills them and records their version."""
    for stmt in split_statements(read_derived(name)):
        con.execute(stmt)


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
        release_memory()


def release_memory() -> None:
    """Hand the C heap's free memory back to the system (glibc's ``malloc_trim``; nothing
    elsewhere). DuckDB allocates with the C library's malloc, in one arena per thread: what
    a closed connection freed stays in the process otherwise, and a run's flow process grew
    batch after batch (about 90 MB more at the peak over a 2,000-page run)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _malloc_trim() -> Any:
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


_MALLOC_TRIM = _malloc_trim()


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
