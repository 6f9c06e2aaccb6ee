"""Downloader middlewares of the ``news`` spider: redirects that leave a source, and retries
that honour ``Retry-After``.

They mark the request (``request.meta[REFUSED]``) and hand the answer on, or raise
``IgnoreRequest`` before a request leaves; the spider turns either into the fetch's outcome and
error (``NewsSpider._http_error``, ``_failure_outcome``), so every refusal is recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import response_status_message
from twisted.internet import task
from w3lib.url import safe_url_string

REDIRECT_STATUSES = (301, 302, 303, 307, 308)
RETRY_AFTER_STATUSES = (429, 503)
OFF_SITE = "off_site_redirect"
REFUSED = "gigawatch_refused"  # request.meta key: (outcome, error) the spider records


def on_domain(url: str, domains: list[str]) -> bool:
    """Whether the host of ``url`` is one of ``domains`` or a subdomain of one (ports ignored)."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in (x.lower() for x in domains))


class _SourceDomains:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        return cls(crawler)

    def _domains(self, request: Request) -> list[str]:
        spider: Any = self.crawler.spider
        src = getattr(spider, "sources", {}).get(request.meta.get("source"))
        return list(src.allowed_domains) if src is not None else []


class OffSiteRedirectedRequestMiddleware(_SourceDomains):
    """Stop a redirected request to a host outside the source's ``allowed_domains`` before it
    is sent (its robots.txt included): an ``IgnoreRequest`` whose message starts with
    ``off_site_redirect:``. This catches ``<meta http-equiv="refresh">`` redirects; 3xx
    answers are refused earlier, with their status, by :class:`OffSiteRedirectMiddleware`.
    Placed before ``RobotsTxtMiddleware`` (100)."""

    def process_request(self, request: Request) -> None:
        redirects = request.meta.get("redirect_urls")
        domains = self._domains(request)
        if redirects and domains and not on_domain(request.url, domains):
            raise IgnoreRequest(
                f"{OFF_SITE}: redirect to {request.url} refused: outside allowed_domains "
                f"({', '.join(domains)})"
            )


class OffSiteRedirectMiddleware(_SourceDomains):
    """Refuse a 3xx redirect that leaves the source's ``allowed_domains``, or that loops.

    Placed after ``RedirectMiddleware`` (a higher number), so it sees a 3xx answer first: it
    sets ``dont_redirect`` and records why, and the 3xx reaches the spider unfollowed.
    """

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in REDIRECT_STATUSES or not location:
            return response
        if request.meta.get("dont_redirect") or request.method == "HEAD":
            return response
        target = urljoin(request.url, safe_url_string(location.decode("latin-1")))
        if urlsplit(target).scheme not in ("http", "https"):
            return response  # RedirectMiddleware ignores these itself
        domains = self._domains(request)
        chain = [*(request.meta.get("redirect_urls") or []), request.url]
        if domains and not on_domain(target, domains):
            request.meta["dont_redirect"] = True
            request.meta[REFUSED] = (
                OFF_SITE,
                f"redirect to {target} refused: outside allowed_domains ({', '.join(domains)})",
            )
        elif target in chain:
            request.meta["dont_redirect"] = True
            request.meta[REFUSED] = (
                "http_error",
                f"HTTP {response.status}: redirect loop: " + " -> ".join([*chain, target]),
            )
        return response


def retry_after_seconds(value: bytes | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delay-seconds or an HTTP date); None when
    absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries, but a 429/503 with ``Retry-After`` is retried after that long.

    A wait longer than ``GIGAWATCH_MAX_RETRY_AFTER`` seconds (``[crawl] max_retry_after``) is
    not retried: the answer is recorded as an ``http_error`` saying what the server asked.
    """

    def __init__(self, crawler: Crawler):
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("GIGAWATCH_MAX_RETRY_AFTER", 120.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = None
        if response.status in RETRY_AFTER_STATUSES:
            wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wait is not None and wait > self.max_wait:
            request.meta[REFUSED] = (
                "http_error",
                f"HTTP {response.status}: Retry-After {wait:.0f} s is longer than "
                f"max_retry_after ({self.max_wait:.0f} s); not retried",
            )
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if wait:
            from twisted.internet import reactor  # the one Scrapy installed

            await maybe_deferred_to_future(task.deferLater(reactor, wait, lambda: None))
        return retry
