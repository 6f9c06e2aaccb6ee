"""Parse feeds and sitemaps into article links. Pure functions: bytes in, links out.

Feeds (RSS 0.9x/1.0/2.0, Atom) go through feedparser; sitemaps (urlset, sitemap index,
gzip-compressed, Google News extension) through lxml with entity resolution off.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO

import feedparser
from dateutil import parser as dateparser
from lxml import etree

GZIP_MAGIC = b"\x1f\x8b"
MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit, uncompressed
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


class DiscoveryError(ValueError):
    """A feed or sitemap could not be read at all."""


@dataclass(frozen=True)
class Link:
    url: str
    published: datetime | None = None  # item date, lastmod or news:publication_date
    title: str | None = None


@dataclass(frozen=True)
class Capture:
    """One capture listed by a CDX API (the Internet Archive's or a compatible one)."""

    timestamp: str  # YYYYMMDDhhmmss
    url: str  # the original URL


@dataclass(frozen=True)
class SitemapContent:
    kind: str  # "urlset" | "sitemapindex"
    links: list[Link]
    warning: str | None = None


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = dateparser.isoparse(value.strip())
    except (ValueError, OverflowError):
        try:
            parsed = dateparser.parse(value.strip())
        except (ValueError, OverflowError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def parse_feed(body: bytes) -> tuple[list[Link], str | None]:
    """Links of an RSS/Atom feed and a warning when the feed was malformed but readable.

    Raises DiscoveryError when nothing can be read from it.
    """
    parsed = feedparser.parse(body)
    warning = None
    if parsed.bozo:
        reason = parsed.get("bozo_exception")
        warning = f"malformed feed: {type(reason).__name__}: {reason}"
    links: list[Link] = []
    for entry in parsed.entries:
        url = entry.get("link")
        if not url:
            continue
        struct = entry.get("published_parsed") or entry.get("updated_parsed")
        published = datetime(*struct[:6], tzinfo=UTC) if struct else None
        links.append(Link(url=url, published=published, title=entry.get("title")))
    if not links and warning:
        raise DiscoveryError(warning)
    if not links and not parsed.get("version"):
        raise DiscoveryError("not a feed: no RSS or Atom root element")
    return links, warning


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_sitemap(body: bytes) -> SitemapContent:
    """Entries of a sitemap (``urlset``) or sitemap index (``sitemapindex``), gzip or not."""
    if body[:2] == GZIP_MAGIC:
        try:
            with gzip.GzipFile(fileobj=BytesIO(body)) as fh:
                body = fh.read(MAX_SITEMAP_BYTES + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise DiscoveryError(f"bad gzip sitemap: {exc}") from exc
        if len(body) > MAX_SITEMAP_BYTES:
            raise DiscoveryError("sitemap larger than 50 MB uncompressed")
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False
    )
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"not XML: {exc}") from exc
    if root is None:
        raise DiscoveryError("not XML: empty document")
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise DiscoveryError(f"not a sitemap: root element is <{kind}>")
    warning = None
    if parser.error_log:
        warning = f"malformed sitemap: {parser.error_log[0].message.strip()}"
    links: list[Link] = []
    for entry in root:
        if _local(entry.tag) not in ("url", "sitemap"):
            continue
        loc = lastmod = news_date = title = None
        for child in entry.iter():
            name = _local(child.tag)
            text = (child.text or "").strip()
            if name == "loc" and child.getparent() is entry:
                loc = text
            elif name == "lastmod":
                lastmod = text
            elif name == "publication_date" and child.tag.startswith(f"{{{NEWS_NS}}}"):
                news_date = text
            elif name == "title" and child.tag.startswith(f"{{{NEWS_NS}}}"):
                title = text
        if loc:
            links.append(Link(loc, _parse_date(news_date or lastmod), title or None))
    return SitemapContent(kind, links, warning)


def parse_cdx(body: bytes) -> list[Capture]:
    """Captures of a CDX API answer in JSON form: a header row, then one row per capture."""
    import json

    try:
        rows = json.loads(body or b"[]")
    except ValueError as exc:
        raise DiscoveryError(f"CDX answer is not JSON: {exc}") from exc
    if not isinstance(rows, list) or any(not isinstance(r, list) for r in rows):
        raise DiscoveryError("CDX answer is not a list of rows")
    if not rows:
        return []
    header = rows[0]
    if "timestamp" not in header or "original" not in header:
        raise DiscoveryError(f"CDX header lacks timestamp/original: {header!r}")
    ts, orig = header.index("timestamp"), header.index("original")
    return [Capture(str(r[ts]), str(r[orig])) for r in rows[1:] if len(r) > max(ts, orig)]
