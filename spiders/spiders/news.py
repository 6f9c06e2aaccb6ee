"""The ``news`` spider: discovers articles through feeds, sitemaps and link-following.

Every fetch, including failures, becomes a ``FetchItem``; article candidates carry their body.
Parsing of feeds and sitemaps lives in ``gigawatch.discovery``; this module only does I/O.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import resource
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import scrapy
from scrapy.http import Response
from scrapy.linkextractors import LinkExtractor
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from gigawatch.discovery import DiscoveryError, Link, parse_cdx, parse_feed, parse_sitemap
from gigawatch.plan import CrawlPlan
from gigawatch.sources import CrawlSettings, Source, load_sources
from gigawatch.urls import canonical_url
from spiders.items import FetchItem
from spiders.middlewares import OFF_SITE, REFUSED, on_domain

HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_SITEMAP_DEPTH = 3


def _peak_rss_mb() -> int:
    """This process's own peak resident memory. VmHWM, not ``ru_maxrss``: a child started by
    fork and exec starts its ``ru_maxrss`` from its parent's (a test runner's, a flow's)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _content_type(response: Response) -> str | None:
    raw = response.headers.get(b"Content-Type")
    return raw.decode("latin-1").strip() if raw else None


def _failure_outcome(
    failure: Failure, max_bytes: int | None = None, max_redirects: int | None = None
) -> tuple[str, str]:
    """Map a download failure to (outcome, message); ``max_bytes`` and ``max_redirects`` are
    the limits in force, for the message."""
    exc = failure.value
    name = type(exc).__name__
    text = str(exc) or name
    lower = text.lower()
    if name == "IgnoreRequest" and "robots" in lower:
        return "blocked_by_robots", "forbidden by robots.txt"
    if name == "IgnoreRequest" and text.startswith(f"{OFF_SITE}: "):  # spiders.middlewares
        return OFF_SITE, text.removeprefix(f"{OFF_SITE}: ")
    if name == "IgnoreRequest" and "max redirections" in lower:
        limit = f" (more than {max_redirects})" if max_redirects else ""
        return "http_error", f"too many redirects{limit}: {text}"
    if "maxsize" in lower or "max size" in lower:  # Content-Length, or a decompression bomb
        return "too_large", f"download cancelled: larger than the download size limit ({text})"
    if name in ("CancelledError", "DownloadCancelledError"):
        # without Content-Length, Scrapy cancels once the body grows past the limit
        limit = f" ({max_bytes} bytes)" if max_bytes else ""
        return "too_large", f"download cancelled: body grew past max_page_bytes{limit}"
    return "network_error", f"{name}: {text}"


_on_domain = on_domain


def _binary(body: bytes) -> bool:
    """Whether a body announced as HTML is binary data: NUL bytes near its top (UTF-16 text,
    which has them too, starts with a byte-order mark), or still gzip-compressed."""
    head = body[:1024]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return False
    return head[:2] == b"\x1f\x8b" or b"\x00" in head


def _notes(*notes: str | None) -> str | None:
    """The notes that are set, joined for a fetch row's ``error``; None when there is none."""
    return "; ".join(n for n in notes if n) or None


def _allowed(url: str, src: Source) -> bool:
    """Whether link-following may go to ``url``: inside the source's allowed domains."""
    return not src.allowed_domains or _on_domain(url, [d.lower() for d in src.allowed_domains])


class NewsSpider(scrapy.Spider):
    """Crawl the sources of a gigawatch sources file."""

    name = "news"

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """Apply the ``[crawl]`` table of the sources file as spider-priority settings."""
        super().update_settings(settings)
        path = settings.get("GIGAWATCH_SOURCES")
        if not path or not Path(path).exists():
            return
        crawl = load_sources(path).crawl
        settings.setdict(
            {
                "DOWNLOAD_DELAY": crawl.download_delay,
                "AUTOTHROTTLE_START_DELAY": max(crawl.download_delay, 0.0),
                "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
                "AUTOTHROTTLE_TARGET_CONCURRENCY": crawl.autothrottle_target_concurrency,
                "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrent_requests_per_domain,
                "ROBOTSTXT_OBEY": crawl.obey_robots,
                "DOWNLOAD_MAXSIZE": crawl.max_page_bytes,
                "DOWNLOAD_WARNSIZE": min(crawl.max_page_bytes, 2 * 1024 * 1024),
                "DEPTH_LIMIT": crawl.depth_limit,
                "DOWNLOAD_TIMEOUT": crawl.download_timeout,
                "RETRY_TIMES": crawl.retry_times,
                "GIGAWATCH_MAX_RETRY_AFTER": crawl.max_retry_after,
            },
            priority="spider",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seen_articles: set[str] = set()
        self._per_source: dict[str, int] = {}
        self._sitemaps_read: dict[str, set[str]] = {}  # per source: sitemap URLs requested
        self._matchers: dict[str, tuple[list[re.Pattern[str]], LinkExtractor]] = {}

    def _setup(self) -> None:
        s = self.settings
        config = load_sources(s.get("GIGAWATCH_SOURCES"))
        plan_file = s.get("GIGAWATCH_PLAN")
        if plan_file:
            self.plan = CrawlPlan.load(plan_file)
        else:
            self.plan = CrawlPlan(run_id=datetime.now(UTC).strftime("%Y%m%dT%H%M%S"))
        config = config.select(self.plan.only or None)
        self.crawl: CrawlSettings = config.crawl
        self.sources = {src.name: src for src in config.sources}
        self.max_pages = config.crawl.max_pages_per_source
        self.run_id = self.plan.run_id
        self.known: set[str] = set()
        known = self.plan.known_urls_file
        if known and Path(known).exists() and not self.plan.refresh:
            self.known = set(Path(known).read_text(encoding="utf-8").split())
        self.stats: dict[str, Counter[str]] = {name: Counter() for name in self.sources}
        for src in self.sources.values():
            article_res = [re.compile(p) for p in src.articles]
            # Domains are checked by _allowed (Scrapy's allow_domains compares host:port).
            extractor = LinkExtractor(allow=src.follow + src.articles or (), unique=True)
            self._matchers[src.name] = (article_res, extractor)

    def _days(self) -> list[date]:
        """Days to enumerate archives and CDX for: the backfill window, else the recent days."""
        start, end = self.plan.window()
        today = datetime.now(UTC).date()
        first = start.date() if start else today - timedelta(days=self.crawl.cdx_recent_days)
        last = (end - timedelta(days=1)).date() if end else today
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def _archive_urls(self, src: Source) -> list[str]:
        days = self._days() if self.plan.backfill else self._days()[-2:]
        urls: list[str] = []
        for template in src.archives:
            for day in days:
                url = (
                    template.replace("{yyyy}", f"{day.year:04d}")
                    .replace("{mm}", f"{day.month:02d}")
                    .replace("{dd}", f"{day.day:02d}")
                )
                if url not in urls:
                    urls.append(url)
        return urls

    def _cdx_url(self, target: str) -> str:
        days = self._days()
        query = [
            ("url", target if "*" in target else target.rstrip("/") + "/*"),
            ("from", days[0].strftime("%Y%m%d")),
            ("to", days[-1].strftime("%Y%m%d")),
            ("output", "json"),
            ("fl", "timestamp,original,mimetype,statuscode"),
            ("filter", "statuscode:200"),
            ("filter", "mimetype:text/html"),
            ("collapse", "urlkey"),
        ]
        return f"{self.crawl.cdx_api}?{urlencode(query)}"

    def closed(self, reason: str) -> None:
        self.logger.info("crawl peak memory (max RSS): %d MB", _peak_rss_mb())
        if self.plan.stats_file:
            data = {name: dict(counter) for name, counter in self.stats.items()}
            Path(self.plan.stats_file).write_text(json.dumps(data), encoding="utf-8")

    async def start(self):  # type: ignore[override]
        self._setup()
        for src in self.sources.values():
            for url in src.feeds:
                yield self._request(url, src, "feed", self.parse_feed)
            for url in src.sitemaps:
                self._sitemaps_read.setdefault(src.name, set()).add(url)
                yield self._request(url, src, "sitemap", self.parse_sitemap, depth=0)
            for url in src.start_urls:
                yield self._request(url, src, "listing", self.parse_listing)
            for url in self._archive_urls(src):
                yield self._request(url, src, "listing", self.parse_archive)
            for target in src.cdx:
                yield self._request(self._cdx_url(target), src, "cdx", self.parse_cdx)

    # -- requests -------------------------------------------------------------------------
    def _request(
        self,
        url: str,
        src: Source,
        kind: str,
        callback: Any,
        link: Link | None = None,
        depth: int = 0,
        original: str | None = None,
    ) -> scrapy.Request:
        meta = {
            "source": src.name,
            "kind": kind,
            "listed_date": link.published.isoformat() if link and link.published else None,
            "sitemap_depth": depth,
            "original_url": original,
        }
        headers = {}
        if kind in ("feed", "sitemap"):
            seen = self.plan.validators.get(url) or {}
            if seen.get("etag"):
                headers["If-None-Match"] = seen["etag"]
            if seen.get("last_modified"):
                headers["If-Modified-Since"] = seen["last_modified"]
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            meta=meta,
            headers=headers,
            dont_filter=kind != "listing",
        )

    def _article_request(
        self, link: Link, src: Source, fetch_url: str | None = None
    ) -> scrapy.Request | None:
        """A request for an article candidate, unless known, seen in this crawl, or dated
        outside a backfill window. ``fetch_url`` fetches it from elsewhere (an archive)."""
        try:
            canonical = canonical_url(link.url)
        except ValueError:
            return None
        if canonical in self._seen_articles:
            return None
        if canonical in self.known:
            self._seen_articles.add(canonical)
            self.stats[src.name]["skipped_known"] += 1
            return None
        if not self.plan.in_window(link.published):
            self.stats[src.name]["outside_window"] += 1
            return None
        if self._per_source.get(src.name, 0) >= self.max_pages:
            self.stats[src.name]["over_page_limit"] += 1
            return None
        self._seen_articles.add(canonical)
        self._per_source[src.name] = self._per_source.get(src.name, 0) + 1
        return self._request(
            fetch_url or link.url, src, "article", self.parse_article, link,
            original=link.url if fetch_url else None,
        )  # fmt: skip

    def _article_requests(self, links: list[Link], src: Source) -> Iterator[scrapy.Request]:
        """Requests for the article candidates of a feed or sitemap. Once the source has
        reached ``max_pages_per_source`` the rest are only counted (``over_page_limit``), so
        a sitemap of 100,000 calendar URLs costs no more than its first pages."""
        for i, link in enumerate(links):
            if self._per_source.get(src.name, 0) >= self.max_pages:
                self.stats[src.name]["over_page_limit"] += len(links) - i
                return
            if (req := self._article_request(link, src)) is not None:
                # depth_limit bounds link-following, not what a feed or sitemap lists
                req.meta["depth_reset"] = True
                yield req

    def _item(self, response: Response | None, request: scrapy.Request, **fields: Any) -> FetchItem:
        meta = request.meta
        src = self.sources[meta["source"]]
        redirects = meta.get("redirect_urls") or []
        return FetchItem(
            run_id=self.run_id,
            source=src.name,
            kind=meta["kind"],
            url=meta.get("original_url") or (redirects[0] if redirects else request.url),
            final_url=response.url if response is not None else None,
            page_url=meta.get("original_url") or (response.url if response is not None else None),
            status=response.status if response is not None else None,
            content_type=_content_type(response) if response is not None else None,
            fetched_at=_now(),
            language_hint=src.language,
            listed_date=meta.get("listed_date"),
            **fields,
        )

    def _http_error(self, response: Response) -> FetchItem | None:
        """The item for a non-2xx answer (304 to a conditional request: not_modified)."""
        refused = response.meta.get(REFUSED)
        if refused is not None:  # spiders.middlewares: an off-site redirect, a loop, a long wait
            outcome, error = refused
            return self._item(response, response.request, outcome=outcome, error=error)
        if 200 <= response.status < 300:
            return None
        if response.status == 304:
            self.stats[response.meta["source"]]["not_modified"] += 1
            return self._item(response, response.request, outcome="not_modified")
        retries = response.meta.get("retry_times", 0)
        after = f" (after {retries} {'retry' if retries == 1 else 'retries'})" if retries else ""
        return self._item(
            response, response.request, outcome="http_error", error=f"HTTP {response.status}{after}"
        )

    def _refusal(
        self,
        response: Response,
        parse: Callable[[bytes], Any] | None = None,
        html: str | None = None,
    ) -> tuple[FetchItem | None, Any]:
        """What every callback checks first: ``(item, None)`` when the page cannot be used (an
        HTTP error or 304; not HTML when ``html`` names what was expected; ``parse`` of the
        body raising :class:`DiscoveryError`), else ``(None, parse(body))``."""
        if (err := self._http_error(response)) is not None:
            return err, None
        if html is not None and not isinstance(response, scrapy.http.HtmlResponse):
            return self._item(
                response, response.request, outcome="not_html", error=f"{html} is not HTML"
            ), None
        if parse is None:
            return None, None
        try:
            return None, parse(response.body)
        except DiscoveryError as exc:
            return self._item(
                response, response.request, outcome="parse_error", error=str(exc)
            ), None

    def _validators(self, response: Response) -> dict[str, str | None]:
        def header(name: bytes) -> str | None:
            raw = response.headers.get(name)
            return raw.decode("latin-1") if raw else None

        return {"etag": header(b"ETag"), "last_modified": header(b"Last-Modified")}

    # -- callbacks ------------------------------------------------------------------------
    def parse_feed(self, response: Response) -> Iterator[Any]:
        refused, parsed = self._refusal(response, parse_feed)
        if refused is not None:
            yield refused
            return
        listed, warning = parsed
        src = self.sources[response.meta["source"]]
        links, off_site = self._on_site(listed, src)
        # A malformed feed is an error even when some items could be recovered (and followed).
        yield self._item(
            response, response.request, outcome="parse_error" if warning else "ok",
            error=_notes(warning, off_site), links_found=len(listed),
            validators=self._validators(response),
        )  # fmt: skip
        yield from self._article_requests(links, src)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        refused, sitemap = self._refusal(response, parse_sitemap)
        if refused is not None:
            yield refused
            return
        src = self.sources[response.meta["source"]]
        links, off_site = self._on_site(sitemap.links, src)
        notes = [sitemap.warning, off_site]
        children: list[Link] = []
        if sitemap.kind == "sitemapindex":
            children, links = links, []
            notes.append(self._child_sitemaps(response, src, children))
        yield self._item(
            response,
            response.request,
            outcome="ok",
            error=_notes(*notes),
            links_found=len(sitemap.links),
            validators=self._validators(response),
        )
        depth = response.meta.get("sitemap_depth", 0)
        for link in children:
            child = self._request(link.url, src, "sitemap", self.parse_sitemap, depth=depth + 1)
            child.meta["depth_reset"] = True  # nesting is bounded by MAX_SITEMAP_DEPTH
            yield child
        yield from self._article_requests(links, src)

    def _child_sitemaps(self, response: Response, src: Source, children: list[Link]) -> str | None:
        """Keep in ``children`` (in place) the child sitemaps of an index to read: not read
        before in this crawl (an index listing itself, or a cycle), not nested deeper than
        MAX_SITEMAP_DEPTH, not last changed before a backfill window. Returns a note on what
        was skipped, for the index's fetch row."""
        read = self._sitemaps_read.setdefault(src.name, set())
        here = {response.url, *(response.meta.get("redirect_urls") or []), response.request.url}
        read.update(here)
        depth = response.meta.get("sitemap_depth", 0)
        start, _end = self.plan.window()
        keep: list[Link] = []
        itself = repeats = too_deep = 0
        for link in children:
            if link.url in here:
                itself += 1
            elif link.url in read:
                repeats += 1
            elif depth >= MAX_SITEMAP_DEPTH:
                too_deep += 1
            # a child sitemap last changed before the window holds nothing from it
            elif not (start is not None and link.published is not None and link.published < start):
                read.add(link.url)
                keep.append(link)
        children[:] = keep
        self.stats[src.name]["sitemaps_skipped"] += itself + repeats + too_deep
        notes = []
        if itself:
            notes.append("sitemap index lists itself (not read again)")
        if repeats:
            notes.append(f"{repeats} child sitemap(s) already read in this crawl, skipped")
        if too_deep:
            notes.append(
                f"sitemap indexes nested deeper than {MAX_SITEMAP_DEPTH}: "
                f"{too_deep} child sitemap(s) not read"
            )
        return _notes(*notes)

    def _on_site(self, links: list[Link], src: Source) -> tuple[list[Link], str | None]:
        """The links of a feed or sitemap inside the source's ``allowed_domains`` (all of them
        when it has none), and a note on the others, which are not fetched."""
        if not src.allowed_domains:
            return links, None
        inside = [lk for lk in links if _allowed(lk.url, src)]
        outside = [lk for lk in links if not _allowed(lk.url, src)]
        if not outside:
            return links, None
        self.stats[src.name]["off_site"] += len(outside)
        return inside, (
            f"{len(outside)} listed URL(s) outside allowed_domains not fetched "
            f"(first: {outside[0].url})"
        )

    def parse_listing(self, response: Response) -> Iterator[Any]:
        refused, _ = self._refusal(response, html="listing")
        if refused is not None:
            yield refused
            return
        src = self.sources[response.meta["source"]]
        article_res, extractor = self._matchers[src.name]
        links = [lk for lk in extractor.extract_links(response) if _allowed(lk.url, src)]
        yield self._item(response, response.request, outcome="ok", links_found=len(links))
        for link in links:
            if any(p.search(link.url) for p in article_res):
                if (req := self._article_request(Link(link.url), src)) is not None:
                    yield req
            else:
                yield self._request(link.url, src, "listing", self.parse_listing)

    def parse_archive(self, response: Response) -> Iterator[Any]:
        """A dated archive page: its article links, not followed any further."""
        refused, _ = self._refusal(response, html="archive page")
        if refused is not None:
            yield refused
            return
        src = self.sources[response.meta["source"]]
        article_res, _ = self._matchers[src.name]
        host = urlsplit(response.url).hostname or ""
        extractor = LinkExtractor(allow=src.articles or (), unique=True)
        links = [lk for lk in extractor.extract_links(response) if _on_domain(lk.url, [host])]
        yield self._item(response, response.request, outcome="ok", links_found=len(links))
        for link in links:
            if (req := self._article_request(Link(link.url), src)) is not None:
                yield req

    def parse_cdx(self, response: Response) -> Iterator[Any]:
        """A CDX API answer: fetch each capture from the archive, stored under its own URL."""
        refused, captures = self._refusal(response, parse_cdx)
        if refused is not None:
            yield refused
            return
        src = self.sources[response.meta["source"]]
        article_res, _ = self._matchers[src.name]
        if article_res:
            captures = [c for c in captures if any(p.search(c.url) for p in article_res)]
        yield self._item(response, response.request, outcome="ok", links_found=len(captures))
        for capture in captures:
            snapshot = self.crawl.cdx_snapshot.format(timestamp=capture.timestamp, url=capture.url)
            link = Link(capture.url, None)
            if (req := self._article_request(link, src, fetch_url=snapshot)) is not None:
                yield req

    def parse_article(self, response: Response) -> Iterator[FetchItem]:
        refused, _ = self._refusal(response)
        if refused is not None:
            yield refused
            return
        ctype = _content_type(response) or ""
        if not any(t in ctype.lower() for t in HTML_TYPES):
            yield self._item(
                response,
                response.request,
                outcome="not_html",
                error=f"content type {ctype or 'missing'} is not HTML",
            )
            return
        body = response.body
        if _binary(body):
            yield self._item(
                response,
                response.request,
                outcome="not_html",
                error=f"body is binary data, not HTML (served as {ctype})",
            )
            return
        yield self._item(
            response,
            response.request,
            outcome="fetched",
            encoding=getattr(response, "encoding", None),
            body=base64.b64encode(zlib.compress(body, 6)).decode("ascii"),
            body_sha1=hashlib.sha1(body).hexdigest(),
            size=len(body),
        )

    def on_error(self, failure: Failure) -> Iterator[FetchItem]:
        request = failure.request
        response = getattr(failure.value, "response", None)
        outcome, message = _failure_outcome(
            failure, self.crawl.max_page_bytes, self.settings.getint("REDIRECT_MAX_TIMES")
        )
        yield self._item(response, request, outcome=outcome, error=message)
