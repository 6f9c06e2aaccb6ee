"""Turn fetched pages into articles with trafilatura, in batches over a process pool.

Pure with respect to storage: pages in (dicts as the crawler wrote them), results out.
"""

from __future__ import annotations

import atexit
import base64
import codecs
import contextlib
import json
import os
import re
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from typing import Any

from dateutil import parser as dateparser
from w3lib.encoding import html_body_declared_encoding, read_bom

from gigawatch import parallel
from gigawatch.bylines import find_byline
from gigawatch.language import detect
from gigawatch.tagger import ArticleTags, configure_worker, worker_tagger, worker_taggers_taxonomy
from gigawatch.urls import article_id, canonical_url

EXTRACTOR = f"trafilatura {version('trafilatura')}"
MIN_TEXT_CHARS = 200  # of text outside links: a page of menus and link lists is no article
FUTURE_TOLERANCE = timedelta(days=1)  # publication dates further ahead are dropped (time zones)
# Markup and URL dates first; the extensive search (free text through dateparser, ~10x slower
# as it tries every locale) only for pages where that found nothing.
DATE_PARAMS = {
    "extensive_search": False,
    "original_date": True,
    "outputformat": "%Y-%m-%dT%H:%M:%S",
}
# Everything gigawatch passes to trafilatura.bare_extraction besides the page and its URL; its
# canonical JSON is stored with each article (documents.extract_options, next to extractor).
EXTRACT_OPTIONS: dict[str, Any] = {
    "with_metadata": True,
    "include_comments": False,
    "date_extraction_params": DATE_PARAMS,
}
# GIGAWATCH_EXTRACT_FAVOR_PRECISION=1: trafilatura's favor_precision (keep less text, drop more
# boilerplate). Read once at import; only recorded when set, so the default options, and the
# rows extracted with them, stay as they are (`gigawatch reextract --outdated` applies a change).
if os.environ.get("GIGAWATCH_EXTRACT_FAVOR_PRECISION", "").strip() == "1":
    EXTRACT_OPTIONS["favor_precision"] = True
EXTRACT_OPTIONS_JSON = json.dumps(EXTRACT_OPTIONS, sort_keys=True, separators=(",", ":"))


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
    note: str | None = None  # why a stored article lacks something (a future date dropped)
    tags: ArticleTags | None = None  # tagged in the extraction worker (extract_pages(tag=True))


def _codec(name: str | None) -> str | None:
    """Python's name for an encoding label ("UTF8" -> "utf-8", "windows-1252" -> "cp1252")."""
    if not name:
        return None
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        return None


# Control characters are in no text: from one to the next, less than 64 bytes apart, is binary
# data (an image or archive pasted into the page), removed before parsing.
_CTRL = r"\x00-\x08\x0b\x0c\x0e-\x1f"
_BINARY_RUN = re.compile(f"[{_CTRL}](?:[^{_CTRL}]{{0,64}}[{_CTRL}])+".encode())
_BINARY_TEXT = re.compile(f"[{_CTRL}](?:[^{_CTRL}]{{0,64}}[{_CTRL}])+")
_CONTROL_CHARS = re.compile(rf"[{_CTRL}\x7f]")


def _mostly_utf8(body: bytes) -> bool:
    """Whether a body that is not valid UTF-8 is still UTF-8 with a few bad bytes.

    Counted outside binary data: as many well-formed non-ASCII characters as malformed
    sequences. A windows-1252 text has accented letters that are malformed UTF-8 and almost
    never a well-formed multi-byte sequence.
    """
    kept, pos = [], 0
    for run in _BINARY_RUN.finditer(body):  # with the 64 bytes either side, also binary
        kept.append(body[pos : max(pos, run.start() - 64)])
        pos = max(pos, run.end() + 64)
    kept.append(body[pos:])
    text = b"".join(kept).decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127) - bad
    return good >= bad


def body_encoding(body: bytes, encoding: str | None) -> str:
    """The encoding to decode a body with, given the one the crawler determined.

    Declarations lie (a ``charset`` in the header or a ``<meta>`` that the bytes contradict),
    so the bytes decide: a byte-order mark wins; bytes that are valid UTF-8 are UTF-8 whatever
    is declared (windows-1252 text with accented letters is virtually never valid UTF-8); bytes
    that are not are the declared legacy encoding, or, when UTF-8 was declared (or nothing),
    UTF-8 if it is mostly well-formed (bad bytes then become U+FFFD), else the encoding the
    page's own ``<meta>`` declares, else windows-1252 or a detected non-Western one.
    """
    bom, _ = read_bom(body)
    if bom:
        return _codec(bom) or "utf-8"
    try:
        body.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    declared = _codec(encoding)
    if declared and declared != "utf-8":
        return declared
    if _mostly_utf8(body):
        return "utf-8"
    meta = _codec(html_body_declared_encoding(body))
    if meta and meta != "utf-8":
        return meta
    return _legacy(body)


_HIGH_RUN = re.compile(rb"[\x80-\xff]{3,}")


def _legacy(body: bytes) -> str:
    """The legacy encoding of a body declared UTF-8 that is not: windows-1252 for Western
    text (its non-ASCII bytes are accented letters inside ASCII words), else what
    charset_normalizer detects (Cyrillic, Greek, CJK: words made of non-ASCII bytes only)."""
    high = sum(b > 127 for b in body)
    in_runs = sum(len(m) for m in _HIGH_RUN.findall(body))
    if high and in_runs * 2 > high:
        from charset_normalizer import from_bytes

        best = from_bytes(body[:200_000]).best()
        found = _codec(best.encoding) if best is not None else None
        if found:
            return found
    return "cp1252"


def decode_body(body: bytes, encoding: str | None) -> str:
    """Decode a raw body (see :func:`body_encoding`), replacing bad bytes, removing runs of
    binary data and control characters (they are not text)."""
    html = body.decode(body_encoding(body, encoding), errors="replace")
    if html.startswith("\ufeff"):
        html = html[1:]
    return _CONTROL_CHARS.sub("", _BINARY_TEXT.sub(" ", html))


# Containers nested deeper than this are unwrapped before parsing: libxml2 stops at depth 256
# ("Excessive depth in document") and the article inside is lost. Real pages stay far below.
# Elements whose end tag is optional (<p>, <li>, <td>, …) or that do not nest (<a>) are not
# counted: the parser closes them itself.
MAX_NESTING = 100
_CONTAINER_TAG = re.compile(
    r"<(/?)(div|span|section|article|main|aside|header|footer|nav|center|blockquote|"
    r"ul|ol|dl|table|form|b|i|u|s|em|strong|font|small|big|sup|sub|code|mark|cite|q|abbr|"
    r"label|strike|tt)\b[^>]*>",
    re.IGNORECASE,
)


def flatten_nesting(html: str, limit: int = MAX_NESTING) -> str:
    """Drop the start and end tags of containers nested deeper than ``limit`` (their content
    stays). One linear pass; pages with fewer container tags than ``limit`` are returned as is."""
    tags = list(_CONTAINER_TAG.finditer(html))
    if len(tags) <= limit:
        return html
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (tag name, kept) of the open containers
    open_count: dict[str, int] = {}
    depth = 0  # kept entries on the stack
    pos = 0
    for m in tags:
        closing, name, raw = m.group(1), m.group(2).lower(), m.group(0)
        keep = True
        if not closing:
            if raw.endswith("/>"):
                continue
            keep = depth < limit
            stack.append((name, keep))
            open_count[name] = open_count.get(name, 0) + 1
            depth += keep
        elif open_count.get(name):
            while True:  # the parser closes the containers left open inside this one
                top, kept = stack.pop()
                open_count[top] -= 1
                depth -= kept
                if top == name:
                    keep = kept
                    break
        if not keep:
            out.append(html[pos : m.start()])
            pos = m.end()
    out.append(html[pos:])
    return "".join(out)


def unpack_body(packed: str) -> bytes:
    """Inverse of the crawler's packing: base64 of zlib-compressed bytes."""
    return zlib.decompress(base64.b64decode(packed))


def _parse_date(value: str | None) -> datetime | None:
    """An ISO date as a UTC-aware datetime; None when missing or unparseable."""
    if not value:
        return None
    try:
        when = dateparser.isoparse(value)
    except (ValueError, OverflowError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _published(
    extracted: str | None, listed: str | None, now: datetime | None = None
) -> datetime | None:
    """The publication time: the page's own date, refined by the feed/sitemap time that day.

    A date more than ``FUTURE_TOLERANCE`` ahead of now is not a publication date (a typo, an
    event date, a clock gone wrong): the result is then NULL, as for a missing or unparseable
    date, so that it never counts in trends.
    """
    page = _parse_date(extracted)
    feed = _parse_date(listed)
    same_day = page is not None and feed is not None and feed.date() == page.date()
    found = feed if page is None or same_day else page
    if found is not None and found > (now or datetime.now(UTC)) + FUTURE_TOLERANCE:
        return None
    return found


def future_date_note(
    extracted: str | None, listed: str | None, now: datetime | None = None
) -> str | None:
    """Why :func:`_published` found no date although the page or its listing gave one."""
    limit = (now or datetime.now(UTC)) + FUTURE_TOLERANCE
    ahead = [d for d in (_parse_date(extracted), _parse_date(listed)) if d and d > limit]
    if not ahead:
        return None
    return f"publication date {max(ahead):%Y-%m-%d} is in the future: published_at left NULL"


_JUNK = re.compile(r"[\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]")


def clean_text(text: str) -> str:
    """The extracted text without lines that are mostly undecodable bytes (binary data)."""
    lines = [
        line
        for line in text.split("\n")
        if not line.strip() or len(_JUNK.findall(line)) * 10 < len(line)
    ]
    return "\n".join(lines).strip()


_BULLET = re.compile(r"^[-*•·>|\s]+")
_SEPARATORS = re.compile(r"\s*[|·•/»›]\s*|\s{2,}")


# An element this deep: the page may nest containers deeper than MAX_NESTING (the container
# depth of a parsed tree is never above the depth of its elements).
_TOO_DEEP = "boolean(" + "*/" * (MAX_NESTING - 1) + "*)"


def parse_page(html: str) -> Any:
    """The page parsed as trafilatura parses it (its ``load_html``), or None; a page with
    elements nested ``MAX_NESTING`` deep is parsed again after :func:`flatten_nesting`.

    Checking the tree (an XPath in C, ~0.1 ms) instead of scanning every page for container
    tags (~1 ms) leaves unflattened only pages whose whole tree is shallower than the limit:
    libxml2 kept everything of those.
    """
    from trafilatura.utils import load_html  # 0.8 s to import: only where pages are extracted

    tree = load_html(html)
    if tree is not None and tree.xpath(_TOO_DEEP):
        flat = flatten_nesting(html)
        if flat is not html:
            tree = load_html(flat)
    return tree


def link_texts(tree: Any) -> set[str]:
    """The texts of the page's links, whitespace-normalised."""
    found: set[str] = set()
    if tree is None:
        return found
    for a in tree.iter("a"):
        words = " ".join(a.text_content().split())
        if words:
            found.add(words)
    return found


def prose_chars(text: str, links: set[str]) -> int:
    """Characters of ``text`` in lines that are not link texts (menus, link lists, "Home |
    About" rows): what is left of an article once its navigation is set aside."""
    total = 0
    for raw in text.split("\n"):
        line = _BULLET.sub("", " ".join(raw.split()))
        if not line or line in links:
            continue
        parts = [p for p in _SEPARATORS.split(line) if p]
        if len(parts) > 1 and all(p in links for p in parts):
            continue
        total += len(line)
    return total


_TAG_LIKE = re.compile(r"<[^<>]*>")


def headlines(tree: Any) -> list[str]:
    """The page's headlines, whitespace-normalised: its ``<h1>`` texts, else its ``<title>``
    texts (empty ones included, so that a page with an empty ``<h1>`` has headlines)."""
    if tree is None:
        return []
    for tag in ("h1", "title"):
        found = [" ".join(node.text_content().split()) for node in tree.iter(tag)]
        if found:
            return found
    return []


def literal_title(title: str | None, shown_headlines: list[str]) -> str | None:
    """The title as the page shows it.

    trafilatura strips what looks like a tag from titles (it prefers JSON-LD and meta, where
    HTML is common); when the page's headline (its ``<h1>``, else its ``<title>``: see
    :func:`headlines`) is that title with such text still in it (an escaped ``&lt;img …&gt;``
    is text), the headline wins.
    """
    if not title:
        return title
    want = " ".join(title.split())
    for shown in shown_headlines:
        if shown and " ".join(_TAG_LIKE.sub(" ", shown).split()) == want:
            return shown
    return title


# bare_extraction's keyword -> trafilatura.settings.Extractor's, for EXTRACT_OPTIONS
_EXTRACTOR_ARGS = {
    "with_metadata": "with_metadata",
    "include_comments": "comments",
    "date_extraction_params": "date_params",
    "favor_precision": "precision",
}


def _metadata(tree: Any, url: str | None, date_params: dict[str, Any]) -> Any:
    """trafilatura's ``extract_metadata`` (2.3.1) on a parsed page, without the parts whose
    results gigawatch does not keep: categories, tags and licence (about 3 ms a page, most
    of the metadata pass). Title, author, URL, host name, date, site name and description are
    computed as there, in the same order, on the same tree."""
    from htmldate import find_date
    from trafilatura.metadata import (
        META_URL,
        examine_meta,
        extract_author,
        extract_domain,
        extract_meta_json,
        extract_sitename,
        extract_title,
        extract_url,
    )

    metadata = examine_meta(tree)
    if metadata.author and " " not in metadata.author:
        metadata.author = None
    with contextlib.suppress(Exception):  # as trafilatura: bugs in its JSON-LD reading
        metadata = extract_meta_json(tree, metadata)
    if not metadata.title:
        metadata.title = extract_title(tree)
    if not metadata.author:
        metadata.author = extract_author(tree)
    if not metadata.url:
        metadata.url = extract_url(tree, url)
    if metadata.url:
        metadata.hostname = extract_domain(metadata.url, fast=True)
    metadata.date = find_date(tree, **{**date_params, "url": metadata.url})
    if not metadata.sitename:
        metadata.sitename = extract_sitename(tree)
    if metadata.sitename:
        metadata.sitename = metadata.sitename.lstrip("@")
        if (
            metadata.sitename
            and "." not in metadata.sitename
            and not metadata.sitename[0].isupper()
        ):
            metadata.sitename = metadata.sitename.title()
    elif metadata.url:
        found = META_URL.match(metadata.url)
        if found:
            metadata.sitename = found[1]
    metadata.filedate = date_params.get("max_date")
    metadata.clean_and_trim()
    return metadata


def _bare_extraction(tree: Any, url: str) -> Any:
    """``trafilatura.bare_extraction(tree, url=url, **EXTRACT_OPTIONS)`` (2.3.1), on the tree
    gigawatch parsed, without copying it (bare_extraction copies a tree it is given: as long
    as parsing the page again) and with :func:`_metadata`. The tree is pruned in place:
    whatever else is read from it must be read before. None when trafilatura finds nothing.
    ``tests/test_extract_once.py`` compares it with ``bare_extraction`` field by field."""
    from trafilatura.core import trafilatura_sequence
    from trafilatura.settings import Extractor
    from trafilatura.xml import xmltotxt

    options = Extractor(
        output_format="python",
        url=url,
        **{_EXTRACTOR_ARGS[k]: v for k, v in EXTRACT_OPTIONS.items()},
    )
    try:
        document = _metadata(tree, options.url, options.date_params)
        body, text, _, comments = trafilatura_sequence(tree, options, options.url or document.url)
        if options.max_tree_size and len(body) > options.max_tree_size:
            from lxml.etree import strip_tags

            strip_tags(body, "hi")
            if len(body) > options.max_tree_size:
                return None
        if len(text) < options.min_output_size and len(comments) < options.min_output_comm_size:
            return None
    except (TypeError, ValueError):  # as bare_extraction: trafilatura's "discarding data"
        return None
    document.text = xmltotxt(body, options.formatting)
    document.raw_text = document.text
    document.body = body
    return document


_JAN_1 = re.compile(
    r"\d{4}-01-01|01/01/\d{2,4}|\b1(?:st|er)?\.? ?jan|\bjan(?:uary|vier)?\.? 0?1\b", re.I
)


def _searched_date(html: str, url: str) -> str | None:
    """htmldate's extensive search, without its bare-year guesses: from a lone "2025" (or an
    unparseable "32/13/2025") it answers 2025-01-01, which is no publication date."""
    from htmldate import find_date  # imported by the workers that extract, not by every user

    found = find_date(html, url=url, **{**DATE_PARAMS, "extensive_search": True})
    if found and found.endswith("-01-01T00:00:00") and not _JAN_1.search(html):
        return None
    return found


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
        # one parse: what is read from the page itself before trafilatura prunes the tree
        tree = parse_page(html)
        links, shown = link_texts(tree), headlines(tree)
        doc = _bare_extraction(tree, url) if tree is not None else None
    except Exception as exc:  # trafilatura or lxml choking on a page must not stop the batch
        return Extracted(
            fetch_id, ok=False, error=f"extraction failed: {type(exc).__name__}: {exc}"
        )
    text = clean_text(doc.text) if doc is not None and doc.text else ""
    if len(text) < MIN_TEXT_CHARS:
        return Extracted(
            fetch_id,
            ok=False,
            error=f"no article text found ({len(text)} characters, at least {MIN_TEXT_CHARS} "
            "needed)",
        )
    prose = prose_chars(text, links)
    if prose < MIN_TEXT_CHARS:
        return Extracted(
            fetch_id,
            ok=False,
            error=f"no article text found: only links and menus ({prose} characters outside "
            f"links, at least {MIN_TEXT_CHARS} needed)",
        )
    date = doc.date or _searched_date(html, url)
    canonical = canonical_url(url, page_canonical=doc.url)
    title = literal_title(doc.title, shown)
    published = _published(date, listed_date)
    return Extracted(
        fetch_id,
        ok=True,
        article_id=article_id(canonical),
        url=canonical,
        title=title,
        author=doc.author or find_byline(html),
        published_at=published,
        language=_language(title or "", text, language_hint),
        site_name=doc.sitename,
        description=doc.description,
        text=text,
        note=None if published else future_date_note(date, listed_date),
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
    """The process's extraction pool, started on first use and kept (spawned workers pay
    their start-up and imports once, not per batch)."""
    global _POOL
    if _POOL is None:
        _POOL = parallel.process_pool(os.cpu_count() or 2)
        atexit.register(shutdown_pool)
    return _POOL


def shutdown_pool() -> None:
    global _POOL
    if _POOL is not None:
        _POOL.shutdown(cancel_futures=True)
        _POOL = None


def extract_pages(
    pages: list[dict[str, Any]],
    workers: int | None = None,
    tag: bool = False,
    taxonomy: str | None = None,
) -> list[Extracted]:
    """Extract a batch of pages in parallel, keeping their order.

    The batch is split into one chunk per worker; with ``workers=1`` it runs in this process,
    and so does a batch of fewer than 4 pages while the pool is not started (a small run pays
    no pool start-up). Once it is, small batches go to it too: trafilatura and the tagger
    (about 85 MB) are then only loaded by the workers, not also by this process.

    With ``tag``, each extracted article is also tagged in the worker, with the taxonomy file
    ``taxonomy`` (None: the bundled one), as ``warehouse.tags.tag_articles`` would tag its
    stored title and text (``Extracted.tags``): tagging is spread over the pool too.
    """
    workers = workers or os.cpu_count() or 2
    if workers <= 1 or (len(pages) < 4 and _POOL is None):
        return _extract_job((pages, tag, taxonomy))
    size = -(-len(pages) // workers)
    chunks = [(pages[i : i + size], tag, taxonomy) for i in range(0, len(pages), size)]
    results: list[Extracted] = []
    for part in _pool().map(_extract_job, chunks):
        results.extend(part)
    return results


def _extract_job(job: tuple[list[dict[str, Any]], bool, str | None]) -> list[Extracted]:
    pages, tag, taxonomy = job
    results = _extract_chunk(pages)
    if tag:
        if worker_taggers_taxonomy() != taxonomy:
            configure_worker(taxonomy)
        tagger = worker_tagger()
        for ext in results:
            if ext.ok and ext.text is not None:
                ext.tags = tagger.tag(ext.title or "", ext.text)
    return results
