"""A small news site for tests whose pages change while it runs.

Pages live in a dict that tests edit between runs; answers carry ETag and Last-Modified and
conditional requests get 304; every request is logged; an optional delay slows article pages;
``/cdx`` speaks the CDX JSON of the Internet Archive and ``/web/<ts>id_/<url>`` serves captures.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TOPICS = [
    ("Northwind Cloud", "a 1.2 GW campus in Aragon", "$9 billion"),
    ("Helios Compute", "a 300 MW expansion near Lyon", "€2.5 billion"),
    ("Tidewater AI", "a 2 GW agreement with a Texas utility", "$14 billion"),
    ("Quarry Systems", "a 500 MW liquid-cooled hall in Finland", "€4 billion"),
    ("Bluebird Labs", "a 1 GW accelerator order", "$20 billion"),
    ("Ironbark Power", "a nuclear supply deal of 800 MW", "$6 billion"),
]


def article_html(slug: str, day: date, n: int, extra: str = "") -> str:
    """A realistic article page (JSON-LD date, navigation, footer) with its own wording."""
    who, what, money = TOPICS[n % len(TOPICS)]
    title = f"{who} announces {what} ({slug})"
    paras = [
        f"{who} said on {day:%A} that it had agreed {what}, a project it values at {money}. "
        "The company described the plan as the largest it has undertaken since its founding.",
        "Executives told analysts that construction would start within months, subject to grid "
        "connection studies and local permits, and that the first halls would open in phases.",
        "Energy planners in the region have warned that demand from data centres is rising "
        "faster than new transmission lines can be built, and asked operators to share load "
        "forecasts earlier.",
        f"Investors reacted calmly. One analyst said the {money} figure was in line with recent "
        "deals of the same size and that financing would likely mix equity and project debt.",
    ]
    if extra:
        paras.append(extra)
    body = "".join(f"<p>{p}</p>" for p in paras)
    meta = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
            "datePublished": f"{day.isoformat()}T09:30:00+00:00",
            "author": {"@type": "Person", "name": "Test Writer"}}  # fmt: skip
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<script type="application/ld+json">{json.dumps(meta)}</script></head><body>'
        '<nav><a href="/">Home</a> <a href="/about">About</a></nav>'
        f"<article><h1>{title}</h1>{body}</article>"
        "<footer>Test Wire, 1 Example Street. Call +1 555 0100.</footer></body></html>"
    )


def serve(
    answer: Callable[[BaseHTTPRequestHandler], None],
    server_class: type[ThreadingHTTPServer] = ThreadingHTTPServer,
) -> ThreadingHTTPServer:
    """Serve GET requests on 127.0.0.1 (a free port) in a daemon thread, each answered by
    ``answer(handler)``, over HTTP/1.1 and without a request log."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            answer(self)

        def log_message(self, *args: object) -> None:
            pass

    server = server_class(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@dataclass
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    modified: datetime = field(default_factory=lambda: datetime(2025, 10, 1, tzinfo=UTC))


class FixtureSite:
    """Serve ``pages`` (path -> Page) on 127.0.0.1; edit them between runs."""

    def __init__(self, article_delay: float = 0.0):
        self.pages: dict[str, Page] = {}
        self.captures: list[tuple[str, str]] = []  # CDX: (timestamp, original URL)
        self.log: list[str] = []
        self.article_delay = article_delay
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- content helpers --------------------------------------------------------------
    @property
    def base(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def put(self, path: str, body: str, content_type: str = "text/html; charset=utf-8") -> None:
        with self._lock:
            self.pages[path] = Page(body.encode(), content_type, datetime.now(UTC))

    def add_article(self, slug: str, day: date, n: int, extra: str = "") -> str:
        path = f"/news/{day:%Y/%m/%d}/{slug}"
        self.put(path, article_html(slug, day, n, extra))
        return path

    def articles(self) -> list[str]:
        return sorted(p for p in self.pages if p.startswith("/news/"))

    def publish_feed(self, paths: list[str] | None = None) -> None:
        """RSS feed and news sitemap listing ``paths`` (default: every article)."""
        paths = self.articles() if paths is None else paths
        items, urls = [], []
        for path in paths:
            y, m, d = (int(x) for x in path.split("/")[2:5])
            when = datetime(y, m, d, 9, 30, tzinfo=UTC)
            items.append(
                f"<item><title>{path}</title><link>{self.base}{path}?utm_source=rss"
                f"</link><pubDate>{format_datetime(when, usegmt=True)}</pubDate></item>"
            )
            urls.append(f"<url><loc>{self.base}{path}</loc><lastmod>{when.date()}</lastmod></url>")
        self.put(
            "/feed.xml",
            '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
            + "".join(items)
            + "</channel></rss>",
            "application/rss+xml",
        )
        self.put(
            "/sitemap.xml",
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/'
            'schemas/sitemap/0.9">' + "".join(urls) + "</urlset>",
            "application/xml",
        )
        by_day: dict[str, list[str]] = {}
        for path in paths:
            by_day.setdefault("/archive/" + "/".join(path.split("/")[2:5]) + "/", []).append(path)
        for archive, day_paths in by_day.items():
            links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in day_paths)
            self.put(archive, f"<html><body><h1>Archive</h1><ul>{links}</ul></body></html>")
        self.put("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")

    def requested(self, prefix: str) -> list[str]:
        with self._lock:
            return [p for p in self.log if p.startswith(prefix)]

    # -- serving ------------------------------------------------------------------------
    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        with self._lock:
            self.log.append(parts.path)
        if parts.path == "/cdx":
            self._cdx(handler, parse_qs(parts.query))
            return
        path = parts.path
        if path.startswith("/web/"):
            original = handler.path.split("id_/", 1)[1]
            path = urlsplit(original).path
        with self._lock:
            page = self.pages.get(path)
        if path.startswith("/news/") and self.article_delay:
            time.sleep(self.article_delay)
        if page is None:
            self._send(handler, 404, b"not found", "text/plain")
            return
        etag = '"' + hashlib.sha1(page.body).hexdigest()[:16] + '"'
        if handler.headers.get("If-None-Match") == etag:
            self._send(handler, 304, b"", None, etag, page.modified)
            return
        self._send(handler, 200, page.body, page.content_type, etag, page.modified)

    def _cdx(self, handler: BaseHTTPRequestHandler, query: dict[str, list[str]]) -> None:
        start, end = query["from"][0], query["to"][0] + "235959"
        prefix = query["url"][0].rstrip("*")
        rows = [["timestamp", "original", "mimetype", "statuscode"]]
        for ts, url in self.captures:
            if start <= ts <= end and url.split("://", 1)[-1].startswith(prefix.split("://")[-1]):
                rows.append([ts, url, "text/html", "200"])
        self._send(handler, 200, json.dumps(rows).encode(), "application/json")

    @staticmethod
    def _send(handler, status, body, ctype, etag=None, modified=None) -> None:  # type: ignore[no-untyped-def]
        handler.send_response(status)
        if ctype:
            handler.send_header("Content-Type", ctype)
        if etag:
            handler.send_header("ETag", etag)
        if modified:
            handler.send_header("Last-Modified", format_datetime(modified, usegmt=True))
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if body:
            handler.wfile.write(body)

    def __enter__(self) -> FixtureSite:
        self._server = serve(self._answer)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def sources(self, *, name: str = "testwire", archives: bool = False, cdx: bool = False,
                feeds: bool = True, sitemaps: bool = True) -> str:  # fmt: skip
        """A sources file for this site."""
        lines = ["[crawl]", "download_delay = 0.0", "concurrent_requests_per_domain = 4",
                 f'cdx_api = "{self.base}/cdx"',
                 f'cdx_snapshot = "{self.base}/web/{{timestamp}}id_/{{url}}"',
                 "", "[[source]]", f'name = "{name}"', 'articles = ["/news/"]']  # fmt: skip
        if feeds:
            lines.append(f'feeds = ["{self.base}/feed.xml"]')
        if sitemaps:
            lines.append(f'sitemaps = ["{self.base}/sitemap.xml"]')
        if archives:
            lines.append(f'archives = ["{self.base}/archive/{{yyyy}}/{{mm}}/{{dd}}/"]')
        if cdx:
            lines.append(f'cdx = ["{self.base.split("://")[1]}/news/"]')
        return "\n".join(lines) + "\n"
