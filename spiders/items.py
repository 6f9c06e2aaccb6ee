"""Items the crawler emits: one ``FetchItem`` per fetch attempt, body included for pages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FetchItem:
    """A fetch of a feed, sitemap, listing or article page, or its failure.

    ``body`` is the raw response body, zlib-compressed then base64-encoded so it travels as
    JSON lines; it is only set for article candidates that answered with HTML.
    """

    run_id: str
    source: str
    kind: str  # feed | sitemap | listing | article
    url: str  # the URL requested (first of any redirect chain)
    final_url: str | None
    page_url: str | None  # the article's own URL: final_url, or the original of an archive capture
    status: int | None
    content_type: str | None
    fetched_at: str  # ISO 8601, UTC
    outcome: str  # fetched | ok | http_error | network_error | not_html | too_large | ...
    error: str | None = None
    encoding: str | None = None
    body: str | None = None
    body_sha1: str | None = None
    size: int | None = None
    language_hint: str | None = None
    listed_date: str | None = None  # date given by the feed or sitemap entry, if any
    links_found: int | None = None  # for feeds, sitemaps and listings
    validators: dict[str, str | None] | None = None  # ETag / Last-Modified of feeds, sitemaps
