"""Write batches to a Parquet lake, and compact its files.

A batch is stored exactly as in a single-file warehouse (``warehouse.load.load_batch`` and
the tag writes of ``warehouse.tags``), but in an in-memory DuckDB of the same schema; its
rows are then written as one Parquet file per table::

    <lake>/<table>/day=YYYY-MM-DD/<batch>.parquet      (Hive layout; day: when it was fetched)
    <lake>/_batches/<batch>.json                        (the manifest, written last)

Each file goes up under a temporary name and is then moved into place; the manifest, last,
commits the batch. A writer killed before it leaves files no catalogue shows (the views read
the rows of committed batches only, ``warehouse/lake_catalog.py``), so writers share a lake
without any lock. A batch's name is its run and a digest of its fetch ids: a store retried
after the commit finds its manifest and writes nothing again.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from gigawatch.extract import Extracted
from warehouse import db, lake_catalog, load, schema
from warehouse.lake_fs import TABLES, Lake, lake_of
from warehouse.sqlfiles import read_sql
from warehouse.tags import tag_articles

COMPACTED = "~compact-"  # a compacted file's name starts so: it sorts after every batch name


def batch_name(run_id: str, pages: list[dict[str, Any]]) -> str:
    """``<run>-<digest of the batch's fetch ids>``: the same batch has the same name."""
    digest = hashlib.sha1("\n".join(sorted(p["fetch_id"] for p in pages)).encode()).hexdigest()
    run = re.sub(r"[^A-Za-z0-9-]", "", run_id) or "run"
    return f"{run}-{digest[:16]}"


def batch_day(pages: list[dict[str, Any]]) -> str:
    """The batch's partition: the UTC day of its first fetch."""
    first = min(datetime.fromisoformat(p["fetched_at"]) for p in pages)
    if first.tzinfo is None:
        first = first.replace(tzinfo=UTC)
    return first.astimezone(UTC).date().isoformat()


def _result(manifest: dict[str, Any]) -> load.BatchResult:
    r = manifest["result"]
    return load.BatchResult(fetches=r["fetches"], stored=list(r["stored"]), known=r["known"],
                            errors=r["errors"], outside_window=r["outside_window"])  # fmt: skip


def write_batch(
    lake: Lake,
    batch: str,
    run_id: str,
    pages: list[dict[str, Any]],
    extracted: dict[str, Extracted],
    known: list[tuple[Any, ...]],
    window: tuple[datetime | None, datetime | None] = (None, None),
    refresh: bool = False,
) -> tuple[load.BatchResult, dict[str, Any]]:
    """Store one batch in an in-memory warehouse that holds the ``known`` documents of its
    articles (from the catalogue), write its rows to the lake and commit it with its
    manifest. Returns what ``load_batch`` returns, and the manifest."""
    day = batch_day(pages)
    mem = duckdb.connect()
    try:
        schema.migrate(mem)
        if known:
            marks = ", ".join("?" * len(known[0]))
            mem.executemany(f"INSERT INTO documents VALUES ({marks})", known)
        result = load.load_batch(mem, pages, extracted, window, refresh)
        tag_articles(mem, result.stored, result.tags)
        files: dict[str, str] = {}
        rows: dict[str, int] = {}
        with tempfile.TemporaryDirectory(prefix="gigawatch-lake-") as tmp:
            for table in TABLES:
                if table == "documents":
                    sql = read_sql("lake/batch_documents")
                    params: dict[str, Any] = {"batch": batch, "known": [k[0] for k in known]}
                else:
                    sql = read_sql("lake/batch_rows").format(table=table)
                    params = {"batch": batch}
                rel = mem.sql(sql, params=params)
                n = len(rel)
                if not n:
                    continue
                local = Path(tmp) / f"{table}.parquet"
                rel.write_parquet(str(local), compression="zstd")
                rel_path = f"{table}/day={day}/{batch}.parquet"
                lake.put(local, lake.path(rel_path))
                files[table], rows[table] = rel_path, n
    finally:
        mem.close()
    manifest = {
        "format": 1,
        "batch": batch,
        "run_id": run_id,
        "day": day,
        "committed_at": datetime.now(UTC).isoformat(),
        "files": files,
        "rows": rows,
        "result": {k: v for k, v in asdict(result).items() if k != "tags"},
    }
    lake.put_text(json.dumps(manifest, indent=1), lake.manifest_path(batch))
    return result, manifest


def prepare(path: str | Path, url: str | None, lock_timeout: float) -> str | None:
    """The lake a run on the warehouse ``path`` writes to: ``url`` (the warehouse becomes its
    catalogue, created if need be), else the lake the warehouse is already the catalogue of;
    None for a single-file warehouse."""
    path = Path(path)
    if url is None and not path.exists():
        return None
    if url is None:  # only read: a warehouse on a read-only filesystem fails in the run, clearly
        con = db.connect(path, read_only=True, lock_timeout=lock_timeout)
        try:
            return lake_of(con)
        finally:
            con.close()
    schema.ensure_schema(path, lock_timeout)
    con = db.connect(path, lock_timeout=lock_timeout)
    try:
        return lake_catalog.attach(con, url)
    finally:
        con.close()


def store_batch(
    catalogue: Path,
    url: str,
    run_id: str,
    pages: list[dict[str, Any]],
    extracted: dict[str, Extracted],
    window: tuple[datetime | None, datetime | None],
    refresh: bool,
    lock_timeout: float,
    before_sync: Callable[[], None] | None = None,
) -> load.BatchResult:
    """The ingest's store in lake mode: read which of the batch's articles the catalogue
    knows (a short transaction), write and commit the batch to the lake (no lock), then sync
    the catalogue (every batch committed by now, this one included, in commit order)."""
    lake = Lake.open(url)
    batch = batch_name(run_id, pages)
    manifest = lake.read_manifest(batch)
    if manifest is None:
        ids = sorted({e.article_id for e in extracted.values() if e.ok and e.article_id})
        with db.writer(catalogue, lock_timeout) as con:
            known = lake_catalog.known_documents(con, ids)
        result, manifest = write_batch(lake, batch, run_id, pages, extracted, known, window,
                                       refresh)  # fmt: skip
    else:
        result = _result(manifest)  # committed before a retry: nothing is written twice
    if before_sync is not None:
        before_sync()
    lake_catalog.sync(catalogue, lock_timeout)
    return result


# --- compaction ------------------------------------------------------------------------------


@dataclass
class Compacted:
    table: str
    day: str
    files: int  # files merged
    rows: int
    path: str  # the file that replaced them


def compact(url: str, min_files: int = 2) -> list[Compacted]:
    """Merge the files of each table's day partition into one (partitions with at least
    ``min_files`` files). The merged file goes up under a temporary name, is moved into
    place, then the files it replaces are deleted; in between, the views read each batch
    from one file only (the greatest name, the merged one), so no answer changes. Rows keep
    their batch: a catalogue that has not folded a batch yet still folds it later."""
    lake = Lake.open(url)
    con = duckdb.connect()
    done: list[Compacted] = []
    try:
        if not lake.local:
            con.register_filesystem(lake.fs)
        for table in TABLES:
            for part in sorted(lake.fs.glob(lake.path(table, "day=*"))):
                files = sorted(p for p in lake.fs.glob(f"{part}/*.parquet"))
                if len(files) < min_files:
                    continue
                done.append(_merge(con, lake, table, part, files))
    finally:
        con.close()
    return done


def _merge(
    con: duckdb.DuckDBPyConnection, lake: Lake, table: str, part: str, files: list[str]
) -> Compacted:
    urls = [p if lake.local else f"{lake.protocol}://{p}" for p in files]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    dest = f"{part}/{COMPACTED}{stamp}.parquet"
    expected = con.execute(read_sql("lake/count_files"), {"files": urls}).fetchone()[0]
    with tempfile.TemporaryDirectory(prefix="gigawatch-compact-") as tmp:
        local = Path(tmp) / "merged.parquet"
        cur = con.cursor()
        try:
            rel = cur.sql(read_sql("lake/merge_files"), params={"files": urls})
            rel.write_parquet(str(local), compression="zstd")
        finally:
            cur.close()
        rows = con.execute(read_sql("lake/count_file"), {"path": str(local)}).fetchone()[0]
        if rows != expected:  # never delete what the merged file does not hold
            raise RuntimeError(f"compaction of {part}: {rows} rows written, {expected} read")
        lake.put(local, dest)
    lake.fs.rm(files)
    day = part.rpartition("day=")[2]
    return Compacted(table, day, len(files), int(rows), dest)
