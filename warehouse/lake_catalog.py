"""The DuckDB catalogue of a Parquet lake: views over the lake's files, and the sync that folds
committed batches into the dedupe state, stories and trend tables.

A catalogue is an ordinary warehouse file (``--db``) whose base tables (``fetches``,
``bodies``, ``documents``, ``article_tags``, ``tag_mentions``, ``tag_facts``,
``tag_candidates``) are views over ``read_parquet('<lake>/<table>/**/*.parquet',
hive_partitioning = true)`` (SQL in ``warehouse/sql/lake/``). Everything else (runs,
validators, watches, the derived tables) stays in the file, so every documented view, query,
trend, export and report reads it as it reads a single-file warehouse.

The views show the rows of the batches listed in ``lake.batches`` only: a batch is committed
when its manifest is in the lake (``warehouse/lake.py``) and visible here once :func:`sync`
has folded it, in commit order, one transaction per batch. This catalogue's process is the
single writer of its derived tables; writers of the lake need no lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from warehouse import db, dedupe_store, trend_store
from warehouse.lake_fs import TABLES, Lake, LakeError, lake_of, register, same_lake
from warehouse.sqlfiles import read_sql, split_statements, sql_files, sql_statements

KEYS = {"fetches": "fetch_id", "bodies": "sha1"}  # first batch wins; documents: own rule
OWNED = ("article_tags", "tag_mentions", "tag_facts", "tag_candidates")  # rows of an article


def _template(name: str, **names: str) -> list[str]:
    """The statements of ``sql/lake/<name>.sql`` with ``{table}``-style names filled in."""
    return split_statements(read_sql(f"lake/{name}").format(**names))


def is_catalogue(con: duckdb.DuckDBPyConnection) -> bool:
    return lake_of(con) is not None


def attach(con: duckdb.DuckDBPyConnection, url: str) -> str:
    """Make the (migrated) warehouse of ``con`` the catalogue of the lake ``url``, or check
    that it already is; returns the lake's URL as recorded. A warehouse that holds rows of
    its own, or the catalogue of another lake, raises :class:`LakeError`."""
    lake = Lake.open(url)
    recorded = lake_of(con)
    if recorded is not None:
        if not same_lake(recorded, url):
            raise LakeError(
                f"this warehouse is the catalogue of the lake {recorded}, not {url}: "
                "use another --db for another lake"
            )
        return recorded
    stored = con.execute(read_sql("lake/rows_stored")).fetchone()[0]
    if stored:
        raise LakeError(
            f"this warehouse already holds {stored} fetches and documents of its own; a lake "
            "catalogue starts empty: use a new --db file with --lake"
        )
    if lake.local:
        lake.fs.makedirs(lake.root, exist_ok=True)
    con.execute("BEGIN TRANSACTION")
    try:
        for stmt in sql_statements("lake/catalog"):
            con.execute(stmt)
        con.execute(read_sql("lake/record_url"), {"url": lake.canonical})
        for table in TABLES:
            for stmt in _template("keep_columns", table=table):
                con.execute(stmt)
        create_views(con, lake)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return lake.canonical


def create_views(con: duckdb.DuckDBPyConnection, lake: Lake) -> None:
    """(Re-)create the views of every lake table: over the files once a folded batch wrote
    one, else over the empty table of its columns."""
    with_files = {r[0] for r in con.execute(read_sql("lake/tables_with_files")).fetchall()}
    for table in TABLES:
        if table in with_files:
            glob = lake.table_glob(table).replace("'", "''")
            stmts = _template("view_rows", table=table, glob=glob)
        else:
            stmts = _template("view_rows_empty", table=table)
        if table == "documents":
            stmts += _template("view_winners_documents")
        elif table in KEYS:
            stmts += _template("view_winners_keyed", table=table, key=KEYS[table])
        else:
            stmts += _template("view_winners_owned", table=table)
        stmts += _template("view_base", table=table)
        for stmt in stmts:
            con.execute(stmt)


def known_documents(con: duckdb.DuckDBPyConnection, ids: list[int]) -> list[tuple[Any, ...]]:
    """Every column of the stored documents among ``ids`` (for a batch's writer)."""
    if not ids:
        return []
    return con.execute(read_sql("lake/known_documents"), {"ids": ids}).fetchall()


# --- sync: fold committed batches, in commit order ------------------------------------------


@dataclass
class Synced:
    batches: list[str] = field(default_factory=list)  # folded now, in order
    articles: int = 0  # articles they brought (stored or updated)


def _folded(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute(read_sql("lake/folded")).fetchall()}


def fold(con: duckdb.DuckDBPyConnection, lake: Lake, manifest: dict[str, Any]) -> int:
    """Fold one committed batch in the caller's transaction: record it (its rows become
    visible), then the duplicates, stories and trend rows of the articles it holds, as the
    single-file store does for a batch. Returns how many articles; 0 if folded before."""
    batch = manifest["batch"]
    if batch in _folded(con):
        return 0
    tables = sorted(manifest["files"])
    with_files = {r[0] for r in con.execute(read_sql("lake/tables_with_files")).fetchall()}
    con.execute(read_sql("lake/record_batch"), {
        "batch": batch, "run_id": manifest.get("run_id"), "day": manifest["day"],
        "committed_at": manifest["committed_at"], "tables": tables,
    })  # fmt: skip
    if not set(tables) <= with_files:
        create_views(con, lake)  # a table's first file: its views read the files from now on
    ids = [r[0] for r in con.execute(read_sql("lake/batch_articles"), {"batch": batch}).fetchall()]
    con.execute(read_sql("lake/count_batch"), {"batch": batch, "articles": len(ids)})
    if ids:
        dedupe_store.fold_batch(con, ids)
        trend_store.refresh(con, ids)
    return len(ids)


def sync(path: str | Path, lock_timeout: float = db.DEFAULT_LOCK_TIMEOUT) -> Synced:
    """Fold every batch committed to the lake since the last sync into the catalogue at
    ``path``, oldest commit first, each in its own transaction (a sync stopped half-way keeps
    what it folded; the next one goes on)."""
    con = db.connect(path, lock_timeout=lock_timeout)
    try:
        url = lake_of(con)
        if url is None:
            raise LakeError(f"{path} is not the catalogue of a lake (run with --lake URL first)")
        folded = _folded(con)
    finally:
        con.close()
    lake = Lake.open(url)
    manifests = [lake.read_manifest(name) for name in lake.manifest_names() if name not in folded]
    ordered = sorted((m for m in manifests if m), key=lambda m: (m["committed_at"], m["batch"]))
    synced = Synced()
    for manifest in ordered:
        with db.writer(path, lock_timeout) as con:
            synced.articles += fold(con, lake, manifest)
        synced.batches.append(manifest["batch"])
    return synced


def status(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The lake of a catalogue, what it folded, and what is committed but not folded yet."""
    url = lake_of(con)
    if url is None:
        raise LakeError("this warehouse is not the catalogue of a lake")
    cur = con.execute(read_sql("lake/status"))
    cols = [d[0] for d in cur.description or []]
    row = dict(zip(cols, cur.fetchone() or (), strict=True))
    lake = Lake.open(url)
    committed = lake.manifest_names()
    folded = _folded(con)
    return {"lake": url, **row, "committed": len(committed),
            "not_synced": sum(1 for b in committed if b not in folded)}  # fmt: skip


# --- migrations on a catalogue ----------------------------------------------------------------


def _pending(con: duckdb.DuckDBPyConnection) -> bool:
    if not db.table_exists(con, "schema_migrations"):
        return False
    done = {r[0] for r in con.execute(read_sql("schema/migrations_done")).fetchall()}
    return any(name not in done for name, _sql in sql_files("migrations"))


@contextmanager
def tables_for_migrations(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Around the migrations of a warehouse: on a lake catalogue with migrations pending, its
    base tables are empty tables again while they run (a migration may alter them), then
    views over the lake with the columns they have now. Nothing to do otherwise."""
    url = lake_of(con)
    if url is None or not _pending(con):
        yield
        return
    lake = register(con, url) or Lake.open(url)
    for table in TABLES:
        for stmt in _template("restore_table", table=table):
            con.execute(stmt)
    yield
    for table in TABLES:
        for stmt in _template("keep_columns", table=table):
            con.execute(stmt)
    create_views(con, lake)
