"""Run SQL from a person (or a program) on the warehouse inside a sandbox DuckDB enforces.

The rules (README "SQL sandbox", RELIABILITY.md):

- one statement per call, and only a query: ``SELECT`` (``FROM``, ``WITH``, ``SUMMARIZE``,
  ``DESCRIBE``, ``SHOW`` and table macros parse as SELECT) or ``EXPLAIN``. ATTACH, DETACH, USE,
  SET, PRAGMA, COPY, EXPORT, INSTALL, LOAD, CALL, CHECKPOINT and every write are refused before
  DuckDB runs anything;
- the file is opened read-only;
- ``enable_external_access = false``: no file, glob or URL can be read or written, no database
  attached, no extension installed or loaded (autoload and autoinstall off too). The only path
  allowed is the Parquet file the CLI itself writes for ``--format parquet --out FILE``, and,
  on the catalogue of a Parquet lake, the lake's directory (its base tables read its files);
- ``lock_configuration = true`` after the limits are set: ``SET`` cannot raise them;
- a memory limit and a thread count; a wall-clock timeout enforced with DuckDB's interrupt;
- results are streamed (``fetchmany``), so a huge result never sits in memory whole.

A refusal raises :class:`SqlRefused` (one line, the CLI exits 2); DuckDB's own errors pass
through as ``duckdb.Error``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

ALLOWED_STATEMENTS = frozenset({duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN})
FETCH_CHUNK = 2048


class SqlRefused(ValueError):
    """The SQL is not allowed in the sandbox, or it ran out of its limits."""


@dataclass(frozen=True)
class Limits:
    timeout: float = 30.0  # seconds of wall clock for the whole call, 0 = none
    max_rows: int | None = None  # rows returned at most, None = all
    memory_limit: str = "2GB"
    threads: int = 2
    temp_limit: str = "4GB"  # what a large sort or join may spill beside the warehouse


def _sandbox_settings(limits: Limits) -> dict[str, Any]:
    return {
        "autoload_known_extensions": False,
        "autoinstall_known_extensions": False,
        "allow_community_extensions": False,
        "allow_unsigned_extensions": False,
        "memory_limit": limits.memory_limit,
        "threads": limits.threads,
        "max_temp_directory_size": limits.temp_limit,
    }


def open_sandbox(
    path: str | Path, limits: Limits = Limits(), writable: Sequence[Path] = ()
) -> duckdb.DuckDBPyConnection:
    """A read-only connection to ``path`` with external access off and its settings locked.

    ``writable`` lists the only files DuckDB may touch besides the warehouse (the CLI's own
    Parquet output)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no database at {path}: run `gigawatch run` or `gigawatch demo`")
    from warehouse.db import connect
    from warehouse.lake_fs import lake_of

    con = connect(path, read_only=True, config=_sandbox_settings(limits))
    try:
        _run(con, "open")
        lake = lake_of(con)
        if lake is not None:  # the catalogue of a lake: its files, and only those
            _run(con, "allow_lake", {"dirs": [lake.rstrip("/") + "/"]})
        if writable:
            _run(con, "allow_paths", {"paths": [str(p) for p in writable]})
        _run(con, "lock")
    except BaseException:
        con.close()
        raise
    return con


def _run(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """Run the statements of ``warehouse/sql/sandbox/<name>.sql``; the last one's result."""
    from warehouse.sqlfiles import sql_statements

    for statement in sql_statements(f"sandbox/{name}"):
        if params:
            con.execute(statement, params)
        else:
            con.execute(statement)
    return con


def check_statement(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """The one query in ``sql``, or :class:`SqlRefused` saying why not."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.ParserException:
        raise  # DuckDB's own message says where the syntax is wrong
    if not statements:
        raise SqlRefused("refused: no SQL statement given")
    if len(statements) > 1:
        raise SqlRefused(f"refused: {len(statements)} statements given; run one query per call")
    stmt = statements[0]
    if stmt.type not in ALLOWED_STATEMENTS:
        words = stmt.query.split(None, 1)
        kind = words[0].upper() if words and words[0].isalpha() else stmt.type.name
        raise SqlRefused(
            f"refused: {kind} statements are not allowed: the warehouse is read-only here and "
            "answers queries only (SELECT, WITH, FROM, DESCRIBE, SUMMARIZE, EXPLAIN)"
        )
    return stmt.query.strip().rstrip(";").strip()


@contextmanager
def deadline(con: duckdb.DuckDBPyConnection, seconds: float) -> Iterator[None]:
    """Interrupt whatever ``con`` runs after ``seconds``; turn the interrupt into a refusal."""
    if not seconds or seconds <= 0:
        yield
        return
    fired = threading.Event()

    def interrupt() -> None:
        fired.set()
        con.interrupt()

    timer = threading.Timer(seconds, interrupt)
    timer.daemon = True
    timer.start()
    try:
        yield
    except duckdb.InterruptException:
        if fired.is_set():
            raise SqlRefused(
                f"refused: the query ran past its time limit of {seconds:g} s (--timeout)"
            ) from None
        raise
    finally:
        timer.cancel()


@dataclass
class Result:
    columns: list[str]
    rows: Iterator[tuple[Any, ...]]  # streamed; stops at max_rows
    truncated: threading.Event  # set when more rows were there than max_rows


def stream(con: duckdb.DuckDBPyConnection, query: str, max_rows: int | None) -> Result:
    """Run a checked ``query`` and stream its rows in chunks, at most ``max_rows``."""
    cur = con.execute(query)
    columns = [d[0] for d in cur.description or []]
    truncated = threading.Event()

    def rows() -> Iterator[tuple[Any, ...]]:
        left = max_rows
        while True:
            size = FETCH_CHUNK if left is None else min(FETCH_CHUNK, left + 1)
            chunk = cur.fetchmany(size)
            if not chunk:
                return
            if left is not None and len(chunk) > left:
                yield from chunk[:left]
                truncated.set()
                return
            yield from chunk
            if left is not None:
                left -= len(chunk)

    return Result(columns, rows(), truncated)


def write_parquet(
    con: duckdb.DuckDBPyConnection, query: str, tmp: Path, out: Path, max_rows: int | None
) -> int:
    """Write a checked ``query`` to ``tmp`` (the one path the sandbox allows), then move it to
    ``out``: a failed or interrupted write leaves no half file. Returns the number of rows."""
    rel = con.sql(query)
    if rel is None:
        raise SqlRefused("refused: not a query; only queries can be written to Parquet")
    if max_rows is not None:
        rel = rel.limit(max_rows)
    try:
        rel.write_parquet(str(tmp))
        n = _run(con, "count_parquet", {"path": str(tmp)}).fetchall()[0][0]
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return int(n)


def parquet_paths(out: Path) -> tuple[Path, Path]:
    """(temporary file, final file) for ``--out``: the temporary one sits beside the target."""
    out = out.resolve()
    return out.with_name(f".{out.name}.{os.getpid()}.tmp"), out
