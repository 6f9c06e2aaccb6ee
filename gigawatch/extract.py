"""Turn fetched pages into articles with trafilatura, in batches over a process pool.

Pure with respect to storage: pages in (dicts as the crawler wrote them), results out.
"""

from __future__ import annotations

import atexit
import base64
import os
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

import trafilatura
from dateutil import parser as dateparser
from htmldate import find_date

from gigawatch.bylines import find_byline
from gigawatch.language import detect
from gigawatch.urls import article_id, canonical_url

EXTRACTOR = f"trafilatura {version('trafilatura')}"
MIN_TEXT_CHARS = 200
# Markup and URL dates first; the extensive search (free text through dateparser, ~10x slower
# as it tries every locale) only for pages where that found nothing.
DATE_PARAMS = {
    "extensive_search": False,
    "original_date": True,
    "outputformat": "%Y-%m-%dT%H:%M:%S",
}


@dataclass
class Extracted:
    """An article extracted from one page, or the reason it could not be."""

    fetch_id: str
    ok: bool
    error: str | None = None
    article_id: int | None = None
    url: str | None = None  # canonical URL
    title: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    site_name: str | None = None
    description: str | None = None
    text: str | None = None


def decode_body(body: bytes, encoding: str | None) -> str:
    """Decode a raw body with the encoding the crawler determined, replacing bad bytes."""
    try:
        return body.decode(encoding or "utf-8", errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def unpack_body(packed: str) -> bytes:
    """Inverse of the crawler's packing: base64 of zlib-compressed bytes."""
    return zlib.decompress(base64.b64decode(packed))


def _published(extracted: str | None, listed: str | None) -> datetime | None:
    """The publication time: the page's own date, refined by the feed/sitemap time that day."""
    page = dateparser.isoparse(extracted).replace(tzinfo=UTC) if extracted else None
    feed = dateparser.isoparse(listed) if listed else None
    if feed is not None and feed.tzinfo is None:
        feed = feed.replace(tzinfo=UTC)
    if page is None:
        return feed
    if feed is not None and feed.astimezone(UTC).date() == page.date():
        return feed.astimezone(UTC)
    return page


def _language(title: str, text: str, hint: str | None) -> str | None:
    """Detected from the text; the source's hint only when the text says nothing."""
    found = detect(title, text)
    return hint if found == "und" else found


def extract_page(
    fetch_id: str,
    body: bytes,
    encoding: str | None,
    url: str,
    language_hint: str | None = None,
    listed_date: str | None = None,
) -> Extracted:
    """Extract one page. Never raises: failures come back with ``ok=False`` and the reason."""
    try:
        html = decode_body(body, encoding)
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            date_extraction_params=DATE_PARAMS,
        )
    except Exception as exc:  # trafilatura or lxml choking on a page must not stop the batch
        return Extracted(
            fetch_id, ok=False, error=f"extraction failed: {type(exc).__name__}: {exc}"
        )
    if doc is None or not doc.text or len(doc.text) < MIN_TEXT_CHARS:
        got = len(doc.text) if doc is not None and doc.text else 0
        return Extracted(
            fetch_id,
            ok=False,
            error=f"no article text found ({got} characters, at least {MIN_TEXT_CHARS} needed)",
        )
    date = doc.date or find_date(html, url=url, **{**DATE_PARAMS, "extensive_search": True})
    canonical = canonical_url(url, page_canonical=doc.url)
    text = doc.text
    return Extracted(
        fetch_id,
        ok=True,
        article_id=article_id(canonical),
        url=canonical,
        title=doc.title,
        author=doc.author or find_byline(html),
        published_at=_published(date, listed_date),
        language=_language(doc.title or "", text, language_hint),
        site_name=doc.sitename,
        description=doc.description,
        text=text,
    )


def _extract_chunk(pages: list[dict[str, Any]]) -> list[Extracted]:
    return [
        extract_page(
            p["fetch_id"],
            unpack_body(p["body"]),
            p.get("encoding"),
            p.get("page_url") or p.get("final_url") or p["url"],
            p.get("language_hint"),
            p.get("listed_date"),
        )
        for p in pages
    ]


_POOL: ProcessPoolExecutor | None = None


def _pool() -> ProcessPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ProcessPoolExecutor(max_workers=os.cpu_count() or 2)
        atexit.register(shutdown_pool)
    return _POOL


def shutdown_pool() -> None:
    global _POOL
    if _POOL is not None:
        _POOL.shutdown(cancel_futures=True)
        _POOL = None


def extract_pages(pages: list[dict[str, Any]], workers: int | None = None) -> list[Extracted]:
    """Extract a batch of pages in parallel, keeping their order.

    The batch is split into one chunk per worker; with ``workers=1`` it runs in this process.
    """
    workers = workers or os.cpu_count() or 2
    if workers <= 1 or len(pages) < 4:
        return _extract_chunk(pages)
    size = -(-len(pages) // workers)
    chunks = [pages[i : i + size] for i in range(0, len(pages), size)]
    results: list[Extracted] = []
    for part in _pool().map(_extract_chunk, chunks):
        results.extend(part)
    return results
