"""Idempotent loads of crawled and extracted batches: each batch is one transaction."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from gigawatch.extract import EXTRACTOR, Extracted
from warehouse.db import read_sql

ERROR_OUTCOMES = (
    "http_error",
    "network_error",
    "not_html",
    "too_large",
    "parse_error",
    "no_content",
)


def fetch_id(run_id: str, kind: str, url: str) -> str:
    """Deterministic id of a fetch, so loading the same crawl output twice adds nothing."""
    return hashlib.sha1(f"{run_id}|{kind}|{url}".encode()).hexdigest()[:24]


@dataclass
class BatchResult:
    fetches: int = 0
    stored: list[int] | None = None  # article ids stored by this batch
    known: int = 0
    errors: int = 0


def _ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def load_batch(
    con: duckdb.DuckDBPyConnection,
    pages: list[dict[str, Any]],
    extracted: dict[str, Extracted],
) -> BatchResult:
    """Write one batch of fetch records, bodies and extracted documents.

    ``pages`` are the crawler's items (each with ``fetch_id``); ``extracted`` maps fetch ids of
    article pages to their extraction. The caller holds the transaction (``warehouse.db.writer``).
    """
    now = datetime.now(UTC)
    ids = [e.article_id for e in extracted.values() if e.ok and e.article_id is not None]
    existing: set[int] = set()
    if ids:
        rows = con.execute(
            "SELECT article_id FROM documents WHERE article_id IN (SELECT unnest(?))", [ids]
        ).fetchall()
        existing = {r[0] for r in rows}
    bodies, fetch_rows, doc_rows = [], [], []
    result = BatchResult(stored=[])
    for page in pages:
        outcome, error = page["outcome"], page.get("error")
        if page.get("body") is not None:
            bodies.append(
                (
                    page["body_sha1"],
                    page.get("encoding"),
                    page["size"],
                    base64.b64decode(page["body"]),
                )
            )
            ext = extracted.get(page["fetch_id"])
            if ext is None:
                outcome, error = "no_content", "page was not extracted"
            elif not ext.ok:
                outcome, error = "no_content", ext.error
            elif ext.article_id in existing:
                outcome = "known"
            else:
                outcome = "stored"
                existing.add(ext.article_id)  # a second URL variant in the same batch is known
                result.stored.append(ext.article_id)
                doc_rows.append(
                    (
                        ext.article_id,
                        ext.url,
                        page["source"],
                        page["fetch_id"],
                        page["body_sha1"],
                        ext.title,
                        ext.author,
                        ext.published_at,
                        ext.language,
                        ext.site_name,
                        ext.description,
                        ext.text,
                        _ts(page["fetched_at"]),
                        now,
                        EXTRACTOR,
                    )
                )
        result.known += outcome == "known"
        result.errors += outcome in ERROR_OUTCOMES
        fetch_rows.append(
            (
                page["fetch_id"],
                page["run_id"],
                page["source"],
                page["kind"],
                page["url"],
                page.get("final_url"),
                page.get("status"),
                page.get("content_type"),
                _ts(page["fetched_at"]),
                outcome,
                error,
                page.get("body_sha1"),
            )
        )
    if bodies:
        con.executemany(read_sql("insert_body"), bodies)
    if fetch_rows:
        con.executemany(read_sql("insert_fetch"), fetch_rows)
    if doc_rows:
        con.executemany(read_sql("insert_document"), doc_rows)
    result.fetches = len(fetch_rows)
    return result


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, flow: str, params: dict) -> None:
    con.execute(read_sql("run_start"), [run_id, flow, json.dumps(params), datetime.now(UTC)])


def run_summary(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    cur = con.execute(read_sql("run_summary"), [run_id])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: str, status: str, summary: dict[str, Any]
) -> None:
    con.execute(
        read_sql("run_finish"),
        [datetime.now(UTC), status, json.dumps(summary, default=str), run_id],
    )
