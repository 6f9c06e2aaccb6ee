"""Idempotent loads of crawled and extracted batches: each batch is one transaction."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

from gigawatch.extract import EXTRACT_OPTIONS_JSON, EXTRACTOR, Extracted
from gigawatch.tagger import ArticleTags
from warehouse import trend_store
from warehouse.db import read_sql
from warehouse.dedupe_store import fold_batch
from warehouse.tags import tag_articles

# Raw bodies kept for re-extraction: new or changed articles, and pages nothing was extracted
# from yet (a later extractor may do better).
KEPT_BODIES = ("stored", "updated", "no_content")


@dataclass
class BatchResult:
    fetches: int = 0
    stored: list[int] = field(default_factory=list)  # article ids new or updated in this batch
    tags: dict[int, ArticleTags] = field(default_factory=dict)  # theirs, tagged at extraction
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
                    updates.append(update_row(ext, page, now))
                    result.stored.append(ext.article_id)
                    if ext.tags is not None:
                        result.tags[ext.article_id] = ext.tags
            else:
                outcome = "stored"
                existing[ext.article_id] = page["body_sha1"]  # a URL variant later is known
                result.stored.append(ext.article_id)
                if ext.tags is not None:
                    result.tags[ext.article_id] = ext.tags
                doc_rows.append(_document_row(ext, page, now))
            if ext is not None and ext.note and outcome in ("stored", "known", "updated"):
                error = "; ".join(n for n in (error, ext.note) if n)  # a note, not a failure
            if outcome in KEPT_BODIES:
                bodies.append({"sha1": page["body_sha1"], "encoding": page.get("encoding"),
                               "size": page["size"], "body": body})  # fmt: skip
        result.known += outcome == "known"
        result.errors += outcome in error_outcomes
        result.outside_window += outcome == "outside_window"
        fetch_rows.append(
            {
                "fetch_id": page["fetch_id"], "run_id": page["run_id"], "source": page["source"],
                "kind": page["kind"], "url": page["url"], "final_url": page.get("final_url"),
                "status": page.get("status"), "content_type": page.get("content_type"),
                "fetched_at": _ts(page["fetched_at"]), "outcome": outcome, "error": error,
                "body_sha1": page.get("body_sha1") if outcome in KEPT_BODIES else None,
            }
        )  # fmt: skip
    write_rows(con, "insert_body", bodies, "sha1")
    write_rows(con, "insert_fetch", fetch_rows, "fetch_id")
    write_rows(con, "insert_document", doc_rows, "article_id")
    write_rows(con, "update_document", updates, "article_id")
    result.fetches = len(fetch_rows)
    return result


def write_rows(
    con: duckdb.DuckDBPyConnection, statement: str, rows: list[dict[str, Any]], key: str
) -> None:
    """Run ``sql/<statement>.sql`` once for all ``rows``, passed column by column (each
    parameter a list; the SQL unnests them together): one statement per batch, not one per
    row. Of rows with the same ``key``, the first is kept, as row by row with ON CONFLICT DO
    NOTHING would."""
    if not rows:
        return
    seen: set[Any] = set()
    unique = []
    for row in rows:
        if row[key] not in seen:
            seen.add(row[key])
            unique.append(row)
    con.execute(read_sql(statement), {name: [r[name] for r in unique] for name in unique[0]})


def update_row(ext: Extracted, page: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The parameters of ``sql/update_document.sql`` (and, with url and source, of
    ``sql/insert_document.sql``)."""
    return {
        "article_id": ext.article_id, "fetch_id": page["fetch_id"],
        "body_sha1": page["body_sha1"], "title": ext.title, "author": ext.author,
        "published_at": ext.published_at, "language": ext.language,
        "site_name": ext.site_name, "description": ext.description, "text": ext.text,
        "fetched_at": _ts(page["fetched_at"]), "extracted_at": now, "extractor": EXTRACTOR,
        "extract_options": EXTRACT_OPTIONS_JSON,
    }  # fmt: skip


def _document_row(ext: Extracted, page: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {**update_row(ext, page, now), "url": ext.url, "source": page["source"]}


def refresh_derived(
    con: duckdb.DuckDBPyConnection,
    article_ids: list[int],
    tagged: Mapping[int, ArticleTags] | None = None,
) -> None:
    """Tags, duplicates, stories and trend rows of the articles stored or changed in this
    transaction (after :func:`load_batch`, or a re-extraction's update). ``tagged``: tags
    already computed for some of them (at extraction, from the same title and text)."""
    tag_articles(con, article_ids, tagged)
    fold_batch(con, article_ids)
    trend_store.refresh(con, article_ids)
