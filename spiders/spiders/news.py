"""The ``news`` spider: discovers articles through feeds, sitemaps and link-following.

Every fetch, including failures, becomes a ``FetchItem``; article candidates carry their body.
Parsing of feeds and sitemaps lives in ``gigawatch.discovery``; this module only does I/O.
"""

from __future__ import annotations

import base64
import hashlib
import re
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scrapy
from gigawatch.urls import canonical_url
from scrapy.http import Response
from scrapy.linkextractors import LinkExtractor
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from gigawatch.discovery import DiscoveryError, Link, parse_feed, parse_sitemap
from gigawatch.sources import Source, load_sources
from spiders.items import FetchItem

HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_SITEMAP_DEPTH = 3


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _content_type(response: Response) -> str | None:
    raw = response.headers.get(b"Content-Type")
    return raw.decode("latin-1").strip() if raw else None


def _failure_outcome(failure: Failure) -> tuple[str, str]:
    """Map a download failure to (outcome, message)."""
    exc = failure.value
    name = type(exc).__name__
    text = str(exc) or name
    if name == "IgnoreRequest" and "robots" in text.lower():
        return "blocked_by_robots", "forbidden by robots.txt"
    if name in ("CancelledError",) or "maxsize" in text.lower() or "max size" in text.lower():
        return "too_large", f"download cancelled: larger than the download size limit ({text})"
    if name in ("TimeoutError", "TCPTimedOutError", "ResponseNeverReceived") or "timeout" in name:
        return "network_error", f"{name}: {text}"
    return "network_error", f"{name}: {text}"


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
            },
            priority="spider",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seen_articles: set[str] = set()
        self._per_source: dict[str, int] = {}
        self._matchers: dict[str, tuple[list[re.Pattern[str]], LinkExtractor]] = {}

    def _setup(self) -> None:
        s = self.settings
        config = load_sources(s.get("GIGAWATCH_SOURCES"))
        only = [n for n in s.get("GIGAWATCH_ONLY_SOURCES", "").split(",") if n]
        config = config.select(only or None)
        self.sources = {src.name: src for src in config.sources}
        self.max_pages = config.crawl.max_pages_per_source
        self.run_id = s.get("GIGAWATCH_RUN_ID") or datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        known = s.get("GIGAWATCH_KNOWN_URLS")
        self.known: set[str] = set()
        if known and Path(known).exists():
            self.known = set(Path(known).read_text(encoding="utf-8").split())
        for src in self.sources.values():
            article_res = [re.compile(p) for p in src.articles]
            extractor = LinkExtractor(
                allow=src.follow + src.articles or (),
                allow_domains=src.allowed_domains,
                unique=True,
            )
            self._matchers[src.name] = (article_res, extractor)

    async def start(self):  # type: ignore[override]
        self._setup()
        for src in self.sources.values():
            for url in src.feeds:
                yield self._request(url, src, "feed", self.parse_feed)
            for url in src.sitemaps:
                yield self._request(url, src, "sitemap", self.parse_sitemap, depth=0)
            for url in src.start_urls:
                yield self._request(url, src, "listing", self.parse_listing)

    # -- requests -------------------------------------------------------------------------
    def _request(
        self,
        url: str,
        src: Source,
        kind: str,
        callback: Any,
        link: Link | None = None,
        depth: int = 0,
    ) -> scrapy.Request:
        meta = {
            "source": src.name,
            "kind": kind,
            "listed_date": link.published.isoformat() if link and link.published else None,
            "sitemap_depth": depth,
        }
        return scrapy.Request(
            url, callback=callback, errback=self.on_error, meta=meta, dont_filter=kind != "listing"
        )

    def _article_request(self, link: Link, src: Source) -> scrapy.Request | None:
        """A request for an article candidate, unless already known or seen in this crawl."""
        try:
            canonical = canonical_url(link.url)
        except ValueError:
            return None
        if canonical in self.known or canonical in self._seen_articles:
            return None
        if self._per_source.get(src.name, 0) >= self.max_pages:
            return None
        self._seen_articles.add(canonical)
        self._per_source[src.name] = self._per_source.get(src.name, 0) + 1
        return self._request(link.url, src, "article", self.parse_article, link)

    def _item(self, response: Response | None, request: scrapy.Request, **fields: Any) -> FetchItem:
        meta = request.meta
        src = self.sources[meta["source"]]
        redirects = meta.get("redirect_urls") or []
        return FetchItem(
            run_id=self.run_id,
            source=src.name,
            kind=meta["kind"],
            url=redirects[0] if redirects else request.url,
            final_url=response.url if response is not None else None,
            status=response.status if response is not None else None,
            content_type=_content_type(response) if response is not None else None,
            fetched_at=_now(),
            language_hint=src.language,
            listed_date=meta.get("listed_date"),
            **fields,
        )

    def _http_error(self, response: Response) -> FetchItem | None:
        if 200 <= response.status < 300:
            return None
        return self._item(
            response, response.request, outcome="http_error", error=f"HTTP {response.status}"
        )

    # -- callbacks ------------------------------------------------------------------------
    def parse_feed(self, response: Response) -> Iterator[Any]:
        if (err := self._http_error(response)) is not None:
            yield err
            return
        src = self.sources[response.meta["source"]]
        try:
            links, warning = parse_feed(response.body)
        except DiscoveryError as exc:
            yield self._item(response, response.request, outcome="parse_error", error=str(exc))
            return
        yield self._item(
            response, response.request, outcome="ok", error=warning, links_found=len(links)
        )
        for link in links:
            if (req := self._article_request(link, src)) is not None:
                yield req

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        if (err := self._http_error(response)) is not None:
            yield err
            return
        src = self.sources[response.meta["source"]]
        try:
            sitemap = parse_sitemap(response.body)
        except DiscoveryError as exc:
            yield self._item(response, response.request, outcome="parse_error", error=str(exc))
            return
        yield self._item(
            response,
            response.request,
            outcome="ok",
            error=sitemap.warning,
            links_found=len(sitemap.links),
        )
        depth = response.meta.get("sitemap_depth", 0)
        for link in sitemap.links:
            if sitemap.kind == "sitemapindex":
                if depth < MAX_SITEMAP_DEPTH:
                    yield self._request(
                        link.url, src, "sitemap", self.parse_sitemap, depth=depth + 1
                    )
            elif (req := self._article_request(link, src)) is not None:
                yield req

    def parse_listing(self, response: Response) -> Iterator[Any]:
        if (err := self._http_error(response)) is not None:
            yield err
            return
        src = self.sources[response.meta["source"]]
        if not isinstance(response, scrapy.http.HtmlResponse):
            yield self._item(
                response, response.request, outcome="not_html", error="listing is not HTML"
            )
            return
        article_res, extractor = self._matchers[src.name]
        links = extractor.extract_links(response)
        yield self._item(response, response.request, outcome="ok", links_found=len(links))
        for link in links:
            if any(p.search(link.url) for p in article_res):
                if (req := self._article_request(Link(link.url), src)) is not None:
                    yield req
            else:
                yield self._request(link.url, src, "listing", self.parse_listing)

    def parse_article(self, response: Response) -> Iterator[FetchItem]:
        if (err := self._http_error(response)) is not None:
            yield err
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
        outcome, message = _failure_outcome(failure)
        yield self._item(response, request, outcome=outcome, error=message)
