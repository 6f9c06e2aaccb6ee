"""Re-extraction of stored articles from their raw bodies (``gigawatch reextract``).

Each batch is one transaction: the documents are updated in place through the ingest's own
update path (``sql/update_document.sql``, as ``--refresh`` does for a changed page), then
the changed articles are tagged, folded and their trend rows refreshed
(``warehouse.load.refresh_derived``, as ``flows.pipeline.store`` does). Article ids and URLs
never change: a new canonical URL found in the page is ignored.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb

from gigawatch.extract import EXTRACT_OPTIONS_JSON, EXTRACTOR, Extracted
from warehouse.db import read_sql
from warehouse.lake_fs import refuse_in_place
from warehouse.load import refresh_derived, update_row, write_rows

# the fields compared to count what changed: summary key -> documents column
COMPARED = {"texts_changed": "text", "titles_changed": "title", "dates_changed": "published_at",
            "languages_changed": "language"}  # fmt: skip
OTHER_FIELDS = ("author", "site_name", "description")


@dataclass
class ReextractSummary:
    articles: int = 0  # re-extracted (and stamped with today's extractor and options)
    changed: int = 0  # of which anything stored changed
    texts_changed: int = 0
    titles_changed: int = 0
    dates_changed: int = 0
    languages_changed: int = 0
    stories_changed: int = 0
    failed: int = 0  # nothing could be extracted any more: the stored row is kept as it was
    batches: int = 0
    changed_ids: list[int] = field(default_factory=list)


def resume_from(con: duckdb.DuckDBPyConnection) -> datetime:
    """When this reextract began, or the unfinished ones before it (see the SQL)."""
    row = con.execute(read_sql("reextract/resume_from")).fetchone()
    return row[0] if row and row[0] is not None else datetime.now(UTC)


def candidates(
    con: duckdb.DuckDBPyConnection,
    since: datetime | None,
    until: datetime | None,
    sources: Sequence[str],
    outdated: bool,
    resume: datetime,
) -> list[int]:
    """The stored articles to extract again (a lake catalogue refuses: its files are
    immutable)."""
    refuse_in_place(con, "reextract")
    params = {"since": since, "until": until, "sources": list(sources), "outdated": outdated,
              "extractor": EXTRACTOR, "extract_options": EXTRACT_OPTIONS_JSON,
              "resume_from": resume}  # fmt: skip
    return [r[0] for r in con.execute(read_sql("reextract/candidates"), params).fetchall()]


def read_pages(con: duckdb.DuckDBPyConnection, ids: list[int]) -> list[dict[str, Any]]:
    """The stored rows of ``ids`` with their bodies, packed as the crawler packs them (for
    ``gigawatch.extract.extract_pages``): ``fetch_id`` is the article id."""
    cur = con.execute(read_sql("reextract/pages"), {"ids": ids})
    cols = [d[0] for d in cur.description]
    out = []
    for values in cur.fetchall():
        row = dict(zip(cols, values, strict=True))
        published = row["published_at"]
        out.append({
            **row,
            "fetch_id": str(row["article_id"]), "stored_fetch_id": row["fetch_id"],
            "body": base64.b64encode(row["body"]).decode("ascii"),
            # the stored values stand in for the listing's date and the source's language,
            # which are not kept: re-extracting with the same extractor changes nothing
            "listed_date": published.isoformat() if published else None,
            "language_hint": row["language"],
        })  # fmt: skip
    return out


def store_batch(
    con: duckdb.DuckDBPyConnection,
    pages: list[dict[str, Any]],
    extracted: dict[str, Extracted],
    summary: ReextractSummary,
) -> list[int]:
    """Write one re-extracted batch in the caller's transaction; returns the changed ids."""
    now = datetime.now(UTC)
    updates, changed = [], []
    for page in pages:
        ext = extracted.get(page["fetch_id"])
        if ext is None or not ext.ok:
            summary.failed += 1
            continue
        summary.articles += 1
        new = {"text": ext.text, "title": ext.title, "published_at": ext.published_at,
               "language": ext.language, "author": ext.author, "site_name": ext.site_name,
               "description": ext.description}  # fmt: skip
        moved = False
        for key, column in COMPARED.items():
            if new[column] != page[column]:
                setattr(summary, key, getattr(summary, key) + 1)
                moved = True
        moved = moved or any(new[c] != page[c] for c in OTHER_FIELDS)
        ext.article_id = page["article_id"]  # ids and URLs stay as they are
        stored = {"fetch_id": page["stored_fetch_id"], "body_sha1": page["body_sha1"],
                  "fetched_at": page["fetched_at"].isoformat()}  # fmt: skip
        updates.append(update_row(ext, stored, now))
        if moved:
            changed.append(page["article_id"])
    if updates:
        write_rows(con, "update_document", updates, "article_id")
    if changed:
        before = dict(con.execute(read_sql("reextract/stories")).fetchall())
        refresh_derived(con, changed)
        after = dict(con.execute(read_sql("reextract/stories")).fetchall())
        summary.stories_changed += sum(before.get(a) != s for a, s in after.items())
    summary.changed += len(changed)
    summary.changed_ids.extend(changed)
    summary.batches += 1
    return changed
