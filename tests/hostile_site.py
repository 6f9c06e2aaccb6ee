"""A hostile web site for crawler tests, on 127.0.0.1 only (issue 10).

One ``ThreadingHTTPServer`` on an ephemeral port answers every hostile case under its own path
prefix: redirects off site and in loops, 5xx with ``Retry-After``, a server that never sends its
headers and one that drips its body, bodies too large with and without ``Content-Length``,
gzip bombs, binary and empty pages, feeds and sitemaps with entity bombs and external entities,
a self-listing sitemap index, a 100,000-URL calendar sitemap and an endless calendar of links.
``localhost`` (the same server) plays the foreign host: the crawler must never ask it anything.

Every request is logged with its host and time. Slow answers give up after a bounded time or
once the site is stopped, so the server always stops by itself.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import random
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.sitekit import article_html, serve

MAX_PAGE_BYTES = 1024 * 1024  # the [crawl] max_page_bytes of hostile_sources()
DOWNLOAD_TIMEOUT = 2.0  # the [crawl] download_timeout of hostile_sources()
STALL_SECONDS = 20.0  # longest a stalling answer holds its connection
CALENDAR_URLS = 100_000
BOMB_MB = 900  # inflated size of the gzip bombs (about 900 kB on the wire: under max_page_bytes)

LOL = "\n".join(
    ['<!ENTITY lol "lol">']
    + [f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in
       range(1, 10)]
)  # fmt: skip


@dataclass
class Hit:
    host: str  # the Host header: 127.0.0.1:PORT, or localhost:PORT for the foreign host
    path: str
    at: float  # time.monotonic()


def gzip_bomb(megabytes: int) -> bytes:
    """``megabytes`` MB of zero bytes as gzip: one compressed megabyte repeated as members of
    one gzip stream (valid gzip, about 1 kB per MB, built at once)."""
    return gzip.compress(b"\0" * (1024 * 1024), 9) * megabytes


def thin_page(title: str, links: Sequence[str] = ()) -> str:
    """A page with a heading and links, and no article text."""
    items = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links)
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1><ul>{items}</ul>" + (
        "</body></html>"
    )


class HostileSite:
    """``with HostileSite() as site:`` serves every hostile case; ``site.hits`` logs requests."""

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.passwd_marker = ""  # set by the test: a line of /etc/passwd that must not leak
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._first_seen: dict[str, int] = {}  # path -> requests so far (503-then-200 pages)
        self.bomb = gzip_bomb(BOMB_MB)
        self.nested_bomb = gzip.compress(self.bomb)  # gzip inside gzip
        self.calendar = self._calendar_sitemap()

    # -- addresses ----------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def foreign(self) -> str:
        """The same server under another host name: off site for every source."""
        return f"http://localhost:{self.port}"

    def requested(self, prefix: str, host: str | None = None) -> list[Hit]:
        with self._lock:
            return [
                h
                for h in self.hits
                if h.path.startswith(prefix) and (host is None or h.host == host)
            ]

    def foreign_hits(self) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.host.startswith("localhost")]

    # -- content --------------------------------------------------------------------------
    def _calendar_sitemap(self) -> bytes:
        first = date(2020, 1, 1)
        urls = "".join(
            f"<url><loc>{{base}}/cal/day/{first + timedelta(days=i % 3650)}/{i:06d}</loc></url>"
            for i in range(CALENDAR_URLS)
        )
        return (
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + urls
            + "</urlset>"
        ).encode()

    def feed(self, links: list[str]) -> bytes:
        items = "".join(
            f"<item><title>{link}</title><link>{link if '://' in link else self.base + link}"
            "</link><pubDate>Wed, 01 Oct 2025 09:30:00 GMT</pubDate></item>"
            for link in links
        )
        return (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title>'
            f"{items}</channel></rss>"
        ).encode()

    def sitemap(self, links: list[str], index: bool = False) -> bytes:
        tag, entry = ("sitemapindex", "sitemap") if index else ("urlset", "url")
        body = "".join(
            f"<{entry}><loc>{link if '://' in link else self.base + link}</loc></{entry}>"
            for link in links
        )
        return (
            f'<?xml version="1.0"?><{tag} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{body}</{tag}>"
        ).encode()

    def article(self, slug: str, n: int) -> bytes:
        return article_html(slug, date(2025, 10, 1 + n % 20), n).encode()

    # -- routing ----------------------------------------------------------------------------
    def _answer(self, h: BaseHTTPRequestHandler) -> None:  # noqa: C901 - one route per case
        path = urlsplit(h.path).path
        with self._lock:
            self.hits.append(Hit(h.headers.get("Host", ""), path, time.monotonic()))
            seen = self._first_seen[path] = self._first_seen.get(path, 0) + 1
        html, xml = "text/html; charset=utf-8", "application/xml"
        if path == "/robots.txt":
            return self._send(h, 200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        # a good source, in the same run as every hostile one
        if path == "/good/feed.xml":
            return self._send(h, 200, self.feed([f"/good/news/{i}" for i in range(3)]), xml)
        if path.startswith("/good/news/") or path.startswith("/ok/"):
            return self._send(h, 200, self.article(path.rsplit("/", 1)[-1], len(path)), html)
        if path.startswith("/evil/"):  # what an off-site redirect would have stored
            return self._send(h, 200, self.article("evil-" + path.rsplit("/", 1)[-1], 7), html)
        # 1. redirects
        if path == "/redir/feed.xml":
            links = ["/redir/away", "/redir/loop-a", "/redir/self", "/redir/chain/0",
                     "/redir/inside", "/redir/meta-refresh"]  # fmt: skip
            return self._send(h, 200, self.feed(links), xml)
        if path == "/redir/away" or path == "/hub-news/away":
            return self._redirect(h, f"{self.foreign}/evil{path}")
        if path == "/redir/meta-refresh":
            refresh = f'<meta http-equiv="refresh" content="0; url={self.foreign}/evil/refresh">'
            return self._send(h, 200, f"<html><head>{refresh}</head></html>".encode(), html)
        if path == "/redir/loop-a":
            return self._redirect(h, "/redir/loop-b")
        if path == "/redir/loop-b":
            return self._redirect(h, "/redir/loop-a")
        if path == "/redir/self":
            return self._redirect(h, "/redir/self")
        if path.startswith("/redir/chain/"):
            return self._redirect(h, f"/redir/chain/{int(path.rsplit('/', 1)[-1]) + 1}")
        if path == "/redir/inside":
            return self._redirect(h, "/ok/redirected-inside")
        if path == "/hub/":
            hub = thin_page("Hub", ["/hub-news/away", "/hub-news/fine"])
            return self._send(h, 200, hub.encode(), html)
        if path == "/hub-news/fine":
            return self._send(h, 200, self.article("hub-fine", 3), html)
        # 2. feed and sitemap links outside allowed_domains
        if path == "/offsite/feed.xml":
            links = [f"{self.foreign}/evil/from-feed", "/ok/offsite-feed-inside"]
            return self._send(h, 200, self.feed(links), xml)
        if path == "/offsite/sitemap.xml":
            links = [f"{self.foreign}/evil/from-sitemap", "/ok/offsite-sitemap-inside"]
            return self._send(h, 200, self.sitemap(links), xml)
        # 3. 503/429 and Retry-After
        if path == "/retry/feed.xml":
            links = ["/retry/seconds", "/retry/date", "/retry/too-long", "/retry/429",
                     "/retry/always"]  # fmt: skip
            return self._send(h, 200, self.feed(links), xml)
        if path in ("/retry/seconds", "/retry/date", "/retry/429") and seen == 1:
            status = 429 if path == "/retry/429" else 503
            after = "2"
            if path == "/retry/date":
                when = datetime.now(UTC) + timedelta(seconds=3)
                after = format_datetime(when, usegmt=True)
            return self._send(h, status, b"busy", "text/plain", {"Retry-After": after})
        if path in ("/retry/seconds", "/retry/date", "/retry/429"):
            return self._send(h, 200, self.article(path.replace("/", "-"), 11), html)
        if path == "/retry/too-long":
            return self._send(h, 503, b"busy", "text/plain", {"Retry-After": "3600"})
        if path == "/retry/always":
            return self._send(h, 503, b"busy", "text/plain")
        # 6. statuses, robots
        if path == "/errors/feed.xml":
            links = ["/status/404", "/status/410", "/status/500", "/private/secret"]
            return self._send(h, 200, self.feed(links), xml)
        if path.startswith("/status/"):
            return self._send(h, int(path.rsplit("/", 1)[-1]), b"error page", "text/plain")
        if path.startswith("/private/"):
            return self._send(h, 200, self.article("private", 5), html)
        # 6. slow answers
        if path == "/slow/feed.xml":
            return self._send(h, 200, self.feed(["/slow/stall", "/slow/drip"]), xml)
        if path == "/slow/stall":
            return self._stall(h)
        if path == "/slow/drip":
            return self._drip(h)
        # 5, 6. sizes, encodings, content types
        if path == "/content/feed.xml":
            links = ["/content/with-length", "/content/no-length", "/content/bomb",
                     "/content/nested-bomb", "/content/gzip-in-gzip", "/content/empty",
                     "/content/binary", "/content/report.pdf", "/content/photo.png"]  # fmt: skip
            return self._send(h, 200, self.feed(links), xml)
        if path == "/content/with-length":
            return self._send(h, 200, b"<p>" + b"x" * (2 * MAX_PAGE_BYTES), html)
        if path == "/content/no-length":
            return self._stream(h, 3 * MAX_PAGE_BYTES)
        if path == "/content/bomb":
            return self._send(h, 200, self.bomb, html, {"Content-Encoding": "gzip"})
        if path == "/content/nested-bomb":
            return self._send(h, 200, self.nested_bomb, html, {"Content-Encoding": "gzip, gzip"})
        if path == "/content/gzip-in-gzip":
            return self._send(h, 200, self.nested_bomb, html, {"Content-Encoding": "gzip"})
        if path == "/content/empty":
            return self._send(h, 200, b"", html)
        if path == "/content/binary":
            return self._send(h, 200, random.Random(10).randbytes(50_000), html)
        if path == "/content/report.pdf":
            return self._send(h, 200, b"%PDF-1.4\n" + os.urandom(2000), "application/pdf")
        if path == "/content/photo.png":
            return self._send(h, 200, b"\x89PNG\r\n\x1a\n" + os.urandom(2000), "image/png")
        # 6. hostile feeds and sitemaps
        if path == "/bad/not-xml.xml":
            return self._send(h, 200, random.Random(11).randbytes(5000), xml)
        if path == "/bad/html-feed.xml":
            return self._send(h, 200, thin_page("Not a feed").encode(), xml)
        if path in ("/bad/lol-feed.xml", "/bad/lol-sitemap.xml"):
            return self._send(h, 200, self._lol(path.endswith("sitemap.xml")), xml)
        if path in ("/bad/xxe-feed.xml", "/bad/xxe-sitemap.xml"):
            return self._send(h, 200, self._xxe(path.endswith("sitemap.xml")), xml)
        # 4. sitemap indexes that list themselves, or each other
        if path == "/selfmap/index.xml":
            links = ["/selfmap/index.xml", "/selfmap/index2.xml", "/selfmap/child.xml"]
            return self._send(h, 200, self.sitemap(links, index=True), xml)
        if path == "/selfmap/index2.xml":
            links = ["/selfmap/index.xml", "/selfmap/child.xml"]
            return self._send(h, 200, self.sitemap(links, index=True), xml)
        if path.startswith("/deepmap/index"):  # indexes nested 5 deep
            level = int(path.removeprefix("/deepmap/index").removesuffix(".xml"))
            links = [f"/deepmap/index{level + 1}.xml"]
            if level == 2:
                links.append("/deepmap/urlset.xml")
            return self._send(h, 200, self.sitemap(links, index=True), xml)
        if path == "/deepmap/urlset.xml":
            return self._send(h, 200, self.sitemap(["/ok/deepmap-article"]), xml)
        if path == "/selfmap/child.xml":
            return self._send(h, 200, self.sitemap(["/ok/selfmap-article"]), xml)
        # 6. traps
        if path == "/cal/sitemap.xml.gz":
            body = gzip.compress(self.calendar.replace(b"{base}", self.base.encode()), 1)
            return self._send(h, 200, body, "application/x-gzip")
        if path.startswith("/cal/day/"):
            return self._send(h, 200, thin_page("Events on " + path.split("/")[3]).encode(), html)
        if path.startswith("/trap/"):
            day = date.fromisoformat(path.rsplit("/", 1)[-1])
            links = [f"/trap/{day + timedelta(days=1)}", f"/trap/{day - timedelta(days=1)}",
                     f"/trap/{day + timedelta(days=31)}", f"/trap-event/{day}/1",
                     f"/trap-event/{day}/2"]  # fmt: skip
            return self._send(h, 200, thin_page(f"Calendar {day}", links).encode(), html)
        if path.startswith("/trap-event/"):
            return self._send(h, 200, thin_page("Event " + path).encode(), html)
        return self._send(h, 404, b"not found", "text/plain")

    def _lol(self, sitemap: bool) -> bytes:
        root = "urlset" if sitemap else "rss"
        if sitemap:
            inner = (
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{self.base}/ok/lol-sitemap&lol9;</loc></url></urlset>"
            )
        else:
            inner = (
                '<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title>'
                f"<description>&lol9;</description><link>{self.base}/ok/lol-feed</link>"
                "</item></channel></rss>"
            )
        return f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n{LOL}\n]>\n{inner}'.encode()

    def _xxe(self, sitemap: bool) -> bytes:
        root = "urlset" if sitemap else "rss"
        decl = (
            f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
            '<!ENTITY % remote SYSTEM "file:///etc/passwd">]>'
        )
        if sitemap:
            inner = (
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{self.base}/ok/xxe-sitemap?u=&xxe;</loc></url></urlset>"
            )
        else:
            inner = (
                '<rss version="2.0"><channel><title>&xxe;</title><item><title>&xxe;</title>'
                f"<description>&xxe;</description><link>{self.base}/ok/xxe-feed</link>"
                "</item></channel></rss>"
            )
        return f'<?xml version="1.0"?>\n{decl}\n{inner}'.encode()

    # -- answers ----------------------------------------------------------------------------
    def _send(self, h, status, body, ctype, headers=None) -> None:  # type: ignore[no-untyped-def]
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if body:
            with contextlib.suppress(OSError):  # the crawler gave up on it (too large): fine
                h.wfile.write(body)

    def _redirect(self, h: BaseHTTPRequestHandler, location: str) -> None:
        self._send(h, 302, b"", "text/html", {"Location": location})

    def _wait(self, seconds: float) -> bool:
        """Sleep; False once the site is stopping."""
        return not self._stopping.wait(seconds)

    def _stall(self, h: BaseHTTPRequestHandler) -> None:
        """Accept the request and send nothing until STALL_SECONDS have passed."""
        self._wait(STALL_SECONDS)
        h.close_connection = True

    def _drip(self, h: BaseHTTPRequestHandler) -> None:
        """Headers at once, then one byte every 0.25 s (a page that would take minutes)."""
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        h.close_connection = True
        deadline = time.monotonic() + STALL_SECONDS
        try:
            while time.monotonic() < deadline and self._wait(0.25):
                h.wfile.write(b"x")
                h.wfile.flush()
        except OSError:
            pass

    def _stream(self, h: BaseHTTPRequestHandler, size: int) -> None:
        """``size`` bytes of HTML with no Content-Length (the end is the connection's end)."""
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True
        chunk = b"<p>" + b"y" * 65533
        try:
            for _ in range(size // len(chunk) + 1):
                if self._stopping.is_set():
                    break
                h.wfile.write(chunk)
        except OSError:
            pass

    # -- serving ----------------------------------------------------------------------------
    def __enter__(self) -> HostileSite:
        self._server = serve(self._answer, QuietServer)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


class QuietServer(ThreadingHTTPServer):
    """A server that does not print the connections the crawler drops on purpose."""

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hostile_sources(site: HostileSite, dead_port: int, max_pages: int = 12) -> str:
    """The sources file: one source per hostile case, plus one good source."""
    b = site.base
    return f"""\
[crawl]
download_delay = 0.0
autothrottle = false
concurrent_requests_per_domain = 16
max_page_bytes = {MAX_PAGE_BYTES}
max_pages_per_source = {max_pages}
depth_limit = 2
download_timeout = {DOWNLOAD_TIMEOUT}
retry_times = 1
max_retry_after = 30.0

[[source]]
name = "goodwire"
feeds = ["{b}/good/feed.xml"]

[[source]]
name = "redirects"
feeds = ["{b}/redir/feed.xml"]
allowed_domains = ["127.0.0.1"]

[[source]]
name = "hub"
start_urls = ["{b}/hub/"]
follow = ["/hub/"]
articles = ["/hub-news/"]

[[source]]
name = "offsite"
feeds = ["{b}/offsite/feed.xml"]
sitemaps = ["{b}/offsite/sitemap.xml"]
allowed_domains = ["127.0.0.1"]

[[source]]
name = "retry"
feeds = ["{b}/retry/feed.xml"]

[[source]]
name = "errors"
feeds = ["{b}/errors/feed.xml"]

[[source]]
name = "dead"
feeds = ["http://127.0.0.1:{dead_port}/feed.xml"]

[[source]]
name = "slow"
feeds = ["{b}/slow/feed.xml"]

[[source]]
name = "content"
feeds = ["{b}/content/feed.xml"]

[[source]]
name = "badfeeds"
feeds = ["{b}/bad/not-xml.xml", "{b}/bad/html-feed.xml", "{b}/bad/lol-feed.xml",
         "{b}/bad/xxe-feed.xml"]
sitemaps = ["{b}/bad/lol-sitemap.xml", "{b}/bad/xxe-sitemap.xml"]

[[source]]
name = "selfmap"
sitemaps = ["{b}/selfmap/index.xml", "{b}/deepmap/index0.xml"]

[[source]]
name = "calendar"
sitemaps = ["{b}/cal/sitemap.xml.gz"]

[[source]]
name = "caltrap"
start_urls = ["{b}/trap/2025-01-01"]
follow = ["/trap/"]
articles = ["/trap-event/"]
"""
