"""Idempotent loads of crawled and extracted batches: each batch is one transaction."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

from gigawatch.extract import EXTRACTOR, Extracted
from warehouse.db import read_sql

# Raw bodies kept for re-extraction: new or changed articles, and pages nothing was extracted
# from yet (a later extractor may do better).
KEPT_BODIES = ("stored", "updated", "no_content")


def fetch_id(run_id: str, kind: str, url: str) -> str:
    """Deterministic id of a fetch, so loading the same crawl output twice adds nothing."""
    return hashlib.sha1(f"{run_id}|{kind}|{url}".encode()).hexdigest()[:24]


@dataclass
class BatchResult:
    fetches: int = 0
    stored: list[int] = field(default_factory=list)  # article ids new or updated in this batch
    known: int = 0
    errors: int = 0
    outside_window: int = 0


def _ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _outside(when: datetime | None, window: tuple[datetime | None, datetime | None]) -> bool:
    start, end = window
    if start is None and end is None:
        return False
    if when is None:
        return True
    return (start is not None and when < start) or (end is not None and when >= end)


def load_batch(
    con: duckdb.DuckDBPyConnection,
    pages: list[dict[str, Any]],
    extracted: dict[str, Extracted],
    window: tuple[datetime | None, datetime | None] = (None, None),
    refresh: bool = False,
) -> BatchResult:
    """Write one batch of fetch records, bodies and extracted documents.

    ``pages`` are the crawler's items (each with ``fetch_id``); ``extracted`` maps fetch ids of
    article pages to their extraction. With a ``window`` (a backfill), articles dated outside
    it, or undated, are not stored. With ``refresh``, a known article whose page changed is
    re-extracted in place. The caller holds the transaction (``warehouse.db.writer``).
    """
    now = datetime.now(UTC)
    ids = [e.article_id for e in extracted.values() if e.ok and e.article_id is not None]
    existing: dict[int, str] = {}
    if ids:
        existing = dict(con.execute(read_sql("load_known_bodies"), {"ids": ids}).fetchall())
    # the outcomes counted as errors: the fetch_outcomes table (migrations/0006)
    error_outcomes = {r[0] for r in con.execute(read_sql("error_outcomes")).fetchall()}
    bodies, fetch_rows, doc_rows, updates = [], [], [], []
    result = BatchResult()
    for page in pages:
        outcome, error = page["outcome"], page.get("error")
        if page.get("body") is not None:
            body = base64.b64decode(page["body"])
            ext = extracted.get(page["fetch_id"])
            if ext is None:
                outcome, error = "no_content", "page was not extracted"
            elif not ext.ok:
                outcome, error = "no_content", ext.error
            elif _outside(ext.published_at, window):
                outcome = "outside_window"
                error = (
                    f"published {ext.published_at:%Y-%m-%d}"
                    if ext.published_at
                    else (ext.note or "no publication date found")
                )
            elif ext.article_id in existing:
                outcome = "known"
                if refresh and existing[ext.article_id] != page["body_sha1"]:
                    outcome = "updated"
                    updates.append(_update_row(ext, page, now))
                    result.stored.append(ext.article_id)
            else:
                outcome = "stored"
                existing[ext.article_id] = page["body_sha1"]  # a URL variant later is known
                result.stored.append(ext.article_id)
                doc_rows.append(_document_row(ext, page, now))
            if ext is not None and ext.note and outcome in ("stored", "known", "updated"):
                error = "; ".join(n for n in (error, ext.note) if n)  # a note, not a failure
            if outcome in KEPT_BODIES:
                bodies.append((page["body_sha1"], page.get("encoding"), page["size"], body))
        result.known += outcome == "known"
        result.errors += outcome in error_outcomes
        result.outside_window += outcome == "outside_window"
        fetch_rows.append(
            (
                page["fetch_id"], page["run_id"], page["source"], page["kind"], page["url"],
                page.get("final_url"), page.get("status"), page.get("content_type"),
                _ts(page["fetched_at"]), outcome, error,
                page.get("body_sha1") if outcome in KEPT_BODIES else None,
            )
        )  # fmt: skip
    if bodies:
        con.executemany(read_sql("insert_body"), bodies)
    if fetch_rows:
        con.executemany(read_sql("insert_fetch"), fetch_rows)
    if doc_rows:
        con.executemany(read_sql("insert_document"), doc_rows)
    if updates:
        con.executemany(read_sql("update_document"), updates)
    result.fetches = len(fetch_rows)
    return result


def _document_row(ext: Extracted, page: dict[str, Any], now: datetime) -> tuple:
    return (
        ext.article_id, ext.url, page["source"], page["fetch_id"], page["body_sha1"], ext.title,
        ext.author, ext.published_at, ext.language, ext.site_name, ext.description, ext.text,
        _ts(page["fetched_at"]), now, EXTRACTOR,
    )  # fmt: skip


def _update_row(ext: Extracted, page: dict[str, Any], now: datetime) -> tuple:
    return (
        page["fetch_id"], page["body_sha1"], ext.title, ext.author, ext.published_at,
        ext.language, ext.site_name, ext.description, ext.text, _ts(page["fetched_at"]), now,
        EXTRACTOR, ext.article_id,
    )  # fmt: skip


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, flow: str, params: dict) -> None:
    """Record a run as started, and mark runs that died without finishing as interrupted."""
    con.execute(read_sql("mark_interrupted"), [run_id])
    con.execute(read_sql("run_start"), [run_id, flow, json.dumps(params), datetime.now(UTC)])


def run_summary(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    cur = con.execute(read_sql("run_summary"), [run_id])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def save_validators(
    con: duckdb.DuckDBPyConnection, validators: dict[str, tuple[str, dict[str, str | None]]]
) -> None:
    """Remember ETag/Last-Modified of feeds and sitemaps read completely in this run."""
    rows = [
        (url, source, v.get("etag"), v.get("last_modified"))
        for url, (source, v) in validators.items()
        if v.get("etag") or v.get("last_modified")
    ]
    if rows:
        con.executemany(read_sql("upsert_validator"), rows)


def load_validators(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str | None]]:
    rows = con.execute(read_sql("load_validators")).fetchall()
    return {url: {"etag": etag, "last_modified": lm} for url, etag, lm in rows}


def finish_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    status: str,
    summary: dict[str, Any],
) -> None:
    """Record the end of a run and its per-source counts."""
    finished = datetime.now(UTC)
    con.execute(
        read_sql("run_finish"), [finished, status, json.dumps(summary, default=str), run_id]
    )
    rows = [
        (
            run_id,
            r["source"],
            r["pages_fetched"],
            r["not_modified"],
            r["skipped_known"],
            r["articles_new"],
            r["duplicates"],
            r["errors"],
        )  # fmt: skip
        for r in summary.get("sources", [])
    ]
    if rows:
        con.executemany(read_sql("insert_run_counts"), rows)
