"""Common Crawl News (CC-NEWS) as a source of past pages: which WARC files cover a window, and
which of their records are pages of a configured source.

The archive is laid out as Common Crawl publishes it: ``crawl-data/CC-NEWS/YYYY/MM/`` holds the
month's WARC files (``CC-NEWS-20251006123456-01234.warc.gz``: the timestamp is when the file
was opened) and ``warc.paths.gz``, their paths (relative to the archive's base), one a line.
The base is any fsspec URL: ``https://data.commoncrawl.org/`` (the default), a mirror, ``s3://``
or a local folder (a path or ``file://``); a local folder without ``warc.paths.gz`` is listed
by its ``*.warc.gz`` / ``*.warc`` files, under that layout or in the folder itself.

Each WARC is streamed record by record (warcio; never the whole file in memory). A record is
kept when it is a ``response`` with HTTP 200 and an HTML content type, its host belongs to a
configured source (:class:`SourceHosts`) and its ``WARC-Date`` lies in the window; it then
becomes the same page dict a crawl's spool yields (``gigawatch.crawl``), ready for
``extract_pages`` and ``warehouse.load.load_batch``. A WARC that cannot be read (missing,
unreachable, not gzip, truncated) comes back with its outcome and error; the records read
before a truncation are kept.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import sleep
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from warcio.archiveiterator import ArchiveIterator

from gigawatch.config import DEFAULT_CC_NEWS, Source, archive_url_problem
from gigawatch.crawl import fetch_id

DEFAULT_BASE_URL = DEFAULT_CC_NEWS
ORIGINS = ("crawl", "cc-news")  # where a backfill reads its pages: the sites, or this archive
NEWS_PREFIX = "crawl-data/CC-NEWS"
ARCHIVE_SOURCE = "cc-news"  # the `source` of the fetch rows of WARC files and listings
HTML_TYPES = ("text/html", "application/xhtml+xml")  # as the spiders (spiders/spiders/news.py)
WARC_NAME = re.compile(r"CC-NEWS-(\d{14})-\d+\.warc(?:\.gz)?$")
# A WARC is named for the moment it was opened and then filled for some hours (CC-NEWS files
# are cut at about 1 GB): a file opened a little before the window can hold records of its
# first hours. Records are then kept by their own WARC-Date, exactly, so the margin only costs
# reading a few more files. After the window, one hour covers clocks that differ between the
# fetcher and the writer.
LIST_BEFORE = timedelta(hours=6)
LIST_AFTER = timedelta(hours=1)
OPEN_ATTEMPTS = 3  # a WARC that cannot be reached is tried this often before it is an error
RETRIED_STATUSES = (429, 500, 502, 503, 504)  # "try again later" answers
RETRY_SECONDS = 1.0  # the wait before the second try; twice that before the third


class ArchiveError(ValueError):
    """The archive cannot be used at all (a bad base URL, nothing listed): before any work."""


def check_base_url(value: str) -> str:
    """``value`` as an archive base (see :func:`gigawatch.config.archive_url_problem`), or
    :class:`ArchiveError` saying what is wrong."""
    wrong = archive_url_problem(value)
    if wrong is not None:
        raise ArchiveError(wrong)
    return value.strip()


def check_archive(value: str) -> str:
    """:func:`check_base_url`, and a local folder must exist: what can be checked without
    reading the archive. Returns the base as it is read (see :func:`list_warcs`)."""
    base = _base(value)
    if _is_local(base) and not _local_path(base).is_dir():
        raise ArchiveError(f"archive folder {_local_path(base)} does not exist")
    return base


def _base(value: str) -> str:
    """The base ending in '/': a URL as given, a local folder (a path or a file:// URL) as
    an absolute path (fsspec reads both; a path needs no %-escapes)."""
    value = check_base_url(value)
    parts = urlsplit(value)
    if parts.scheme.lower() == "file":
        value = url2pathname(parts.path)
    if len(urlsplit(value).scheme) <= 1:
        return str(Path(value).expanduser().resolve()).rstrip("/") + "/"
    return value.rstrip("/") + "/"


def _is_local(base: str) -> bool:
    return "://" not in base


def _local_path(base: str) -> Path:
    return Path(base)


# --------------------------------------------------------------------------- which files


@dataclass(frozen=True)
class WarcFile:
    url: str
    written: datetime | None  # the timestamp in its name, when it has one


@dataclass(frozen=True)
class Problem:
    """Something of the archive that could not be read: a fetch row (``kind`` listing or warc)."""

    kind: str
    url: str
    outcome: str  # http_error | network_error | parse_error (fetch_outcomes)
    error: str


@dataclass
class Listing:
    warcs: list[WarcFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    base_url: str = ""


def window_bounds(since: date, until: date) -> tuple[datetime, datetime]:
    """The window [start, end) in UTC for inclusive days ``since``..``until``."""
    start = datetime.combine(since, time(), UTC)
    return start, datetime.combine(until + timedelta(days=1), time(), UTC)


def written_at(name: str) -> datetime | None:
    """The timestamp in a CC-NEWS file name (``CC-NEWS-20251006123456-01234.warc.gz``)."""
    found = WARC_NAME.search(name)
    if not found:
        return None
    try:
        return datetime.strptime(found.group(1), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def months(start: datetime, end: datetime) -> list[tuple[int, int]]:
    """The (year, month) folders touched by [start, end)."""
    out: list[tuple[int, int]] = []
    year, month = start.year, start.month
    last = end - timedelta(microseconds=1)
    while (year, month) <= (last.year, last.month):
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def in_listing_window(warc: WarcFile, start: datetime, end: datetime) -> bool:
    """Whether a WARC may hold records of [start, end) (see ``LIST_BEFORE``)."""
    if warc.written is None:
        return True  # no timestamp in its name: its records are checked one by one
    return start - LIST_BEFORE <= warc.written < end + LIST_AFTER


def list_warcs(base_url: str, since: date, until: date) -> Listing:
    """The WARC files of the archive at ``base_url`` that may hold records of the window, in
    the order the archive lists them (the order they were written).

    A month whose listing is missing or unreadable is a :class:`Problem`; when nothing at all
    could be listed, :class:`ArchiveError` (the archive is wrong, not one month of it)."""
    base = check_archive(base_url)
    start, end = window_bounds(since, until)
    listing = Listing(base_url=base)
    folder_listed = False
    inside = set(months(start, end))
    for year, month in months(start - LIST_BEFORE, end + LIST_AFTER):
        month_dir = f"{NEWS_PREFIX}/{year:04d}/{month:02d}/"
        paths_url = base + month_dir + "warc.paths.gz"
        try:
            with _open_stream(paths_url) as fh:
                text = gzip.decompress(fh.read()).decode("utf-8")
        except FileNotFoundError:
            found = None
            if _is_local(base):
                found, folder_listed = _local_files(base, month_dir, folder_listed)
            if found is not None:
                listing.warcs.extend(w for w in found if in_listing_window(w, start, end))
            elif (year, month) in inside:  # a month only the margin touches may be missing
                error = f"no warc.paths.gz for {year:04d}/{month:02d} in the archive"
                listing.problems.append(Problem("listing", paths_url, "http_error", error))
            continue
        except Exception as exc:  # unreadable: a dead host, an HTTP status, not gzip
            outcome, error = _fetch_error(exc)
            if outcome == "network_error":  # the archive itself is out of reach
                raise ArchiveError(f"cannot reach the archive {base}: {error}") from exc
            listing.problems.append(
                Problem("listing", paths_url, outcome, f"cannot read {paths_url}: {error}")
            )
            continue
        for line in text.splitlines():
            rel = line.strip()
            if not rel:
                continue
            warc = WarcFile(base + rel.lstrip("/"), written_at(rel))
            if in_listing_window(warc, start, end):
                listing.warcs.append(warc)
    if not listing.warcs and listing.problems:
        raise ArchiveError(
            f"nothing listed in the archive {base}: " + "; ".join(p.error for p in listing.problems)
        )
    return listing


def _local_files(
    base: str, month_dir: str, folder_listed: bool
) -> tuple[list[WarcFile] | None, bool]:
    """A local month folder's WARC files (None: the archive has the CC-NEWS layout but not
    this month), or, once, those directly in the base folder when it has no such layout."""
    root = _local_path(base)
    folder = root / month_dir
    if folder.is_dir():
        return _warc_files(folder), folder_listed
    if (root / NEWS_PREFIX).is_dir():
        return None, folder_listed
    if folder_listed:
        return [], True
    return _warc_files(root), True


def _warc_files(folder: Path) -> list[WarcFile]:
    files = sorted(p for p in folder.iterdir()
                   if p.is_file() and p.name.endswith((".warc.gz", ".warc")))  # fmt: skip
    return [WarcFile(str(p), written_at(p.name)) for p in files]


# --------------------------------------------------------------------------- which records


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def source_domains(src: Source) -> list[str]:
    """The domains whose pages belong to ``src``: its ``allowed_domains`` (a host and its
    subdomains, as the spiders bound a source), else the hosts of its feeds, sitemaps, start
    URLs and archive patterns, without a leading ``www.`` (so ``www.heise.de`` and
    ``heise.de`` both count), and of its ``cdx`` prefixes."""
    if src.allowed_domains:
        return sorted({d.lower().strip(".") for d in src.allowed_domains})
    hosts: set[str] = set()
    for url in [*src.feeds, *src.sitemaps, *src.start_urls, *src.archives]:
        host = _host(url)
        if host:
            hosts.add(host.removeprefix("www."))
    for prefix in src.cdx:
        host = _host(prefix if "://" in prefix else f"http://{prefix}")
        if host:
            hosts.add(host.removeprefix("www."))
    return sorted(hosts)


@dataclass(frozen=True)
class SourceHosts:
    """Which configured source a URL belongs to: the source with the longest domain that is
    the URL's host or a parent of it (the first in the sources file on a tie)."""

    domains: dict[str, str]  # domain -> source name
    languages: dict[str, str | None]  # source name -> its language hint

    @classmethod
    def of(cls, sources: list[Source]) -> SourceHosts:
        domains: dict[str, str] = {}
        for src in sources:
            for domain in source_domains(src):
                domains.setdefault(domain, src.name)
        return cls(domains, {s.name: s.language for s in sources})

    def source_for(self, url: str) -> str | None:
        host = _host(url)
        while host:
            if host in self.domains:
                return self.domains[host]
            _, dot, host = host.partition(".")
            if not dot:
                break
        return None


@dataclass
class WarcRead:
    """What one WARC gave: its kept pages (spool-style dicts, in record order), counts, and
    its failure if it could not be read to its end."""

    url: str
    pages: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)  # records, responses, kept, ...
    outside_window: Counter[str] = field(default_factory=Counter)  # per source, by WARC-Date
    outcome: str = "ok"  # ok | http_error | network_error | parse_error
    error: str | None = None
    extracted: dict[str, Any] | None = None  # fetch_id -> Extracted, when read on a worker
    seconds: float = 0.0  # the task's time: reading, and extracting when it does

    @property
    def failed(self) -> bool:
        return self.outcome != "ok"

    def note(self) -> str:
        """The counts, as the WARC's fetch row says them."""
        c = self.counts
        return (f"{c['records']} records, {c['responses']} responses, {c['kept']} pages of "
                f"configured sources kept; {c['other_hosts']} of other hosts, "
                f"{c['outside_window']} dated outside the window, {c['not_200']} not HTTP 200, "
                f"{c['not_html']} not HTML, {c['too_large']} too large")  # fmt: skip


class WarcUnreachable(OSError):
    """A WARC could not be opened after ``OPEN_ATTEMPTS`` tries (a dead host, a timeout, or
    ``status``: the HTTP status of the last "try again later" answer)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def read_warc(
    url: str,
    hosts: SourceHosts,
    window: tuple[datetime, datetime],
    run_id: str,
    max_bytes: int,
    now: datetime | None = None,
) -> WarcRead:
    """Stream the WARC at ``url`` and keep the pages of configured sources (see the module's
    doc). Never raises for a bad file: its outcome and error come back in the result."""
    result = WarcRead(url)
    fetched_at = (now or datetime.now(UTC)).isoformat()
    try:
        with _open_stream(url) as raw:
            _read_records(raw, url, hosts, window, run_id, max_bytes, fetched_at, result)
    except FileNotFoundError:
        result.outcome, result.error = "http_error", f"WARC not found (404): {url}"
    except WarcUnreachable as exc:
        result.outcome, result.error = _fetch_error(exc)
    except _NotWarc as exc:
        result.outcome, result.error = "parse_error", str(exc)
    except Exception as exc:
        outcome, error = _fetch_error(exc)
        read = result.counts["records"]
        if outcome == "parse_error":
            what = "malformed or truncated WARC: a record cut or invalid"
        else:
            what = "WARC unreadable"
        kept = result.counts["kept"]
        result.outcome = outcome
        result.error = f"{what} after {read} records ({kept} pages kept; {error}): {url}"
    return result


class _NotWarc(ValueError):
    pass


def _open_url(url: str) -> Any:
    """``url``'s bytes as a stream (fsspec): one GET for http(s), without range requests (a
    mirror need not support them), the file or object otherwise."""
    import fsspec

    options: dict[str, Any] = {"block_size": 0} if url.startswith(("http://", "https://")) else {}
    try:
        return fsspec.open(url, "rb", **options).open()
    except FileNotFoundError as exc:
        # fsspec's HTTP file system says "not found" for a dead host and any HTTP error too
        cause = _connection_error(exc)
        if cause is not None:
            raise ConnectionError(_describe(cause)) from exc
        answer = exc.__cause__ or exc.__context__
        status = getattr(answer, "status", None)
        if answer is not None and isinstance(status, int) and status != 404:
            raise answer from None
        raise


def _connection_error(exc: BaseException) -> BaseException | None:
    """The connection failure (refused, reset, timed out) behind ``exc``, if any."""
    seen: BaseException | None = exc.__cause__ or exc.__context__
    while seen is not None:
        names = {cls.__name__ for cls in type(seen).__mro__}
        if (
            isinstance(seen, OSError | TimeoutError) and not isinstance(seen, FileNotFoundError)
        ) or ("ClientConnectionError" in names):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _open_stream(url: str) -> Any:
    """``url``'s bytes as a stream (a WARC, a listing); opening is tried ``OPEN_ATTEMPTS``
    times on network errors (a dead host, a timeout) and on answers that say "later" (429,
    5xx: an archive under load answers 503), ``RETRY_SECONDS`` more apart each time."""
    last: Exception | None = None
    for attempt in range(OPEN_ATTEMPTS):
        if attempt:
            sleep(attempt * RETRY_SECONDS)
        try:
            return _open_url(url)
        except FileNotFoundError:
            raise
        except Exception as exc:
            outcome, _ = _fetch_error(exc)
            status = getattr(exc, "status", None)
            if outcome != "network_error" and status not in RETRIED_STATUSES:
                raise
            last = exc
    status = getattr(last, "status", None)
    if isinstance(status, int):
        raise WarcUnreachable(f"HTTP {status} from {url} ({OPEN_ATTEMPTS} tries): "
                              f"{_describe(last)}", status)  # fmt: skip
    raise WarcUnreachable(f"cannot reach {url} ({OPEN_ATTEMPTS} tries): {_describe(last)}")


class _Prefixed(io.RawIOBase):
    """A stream whose first bytes were read already (to check the format)."""

    def __init__(self, head: bytes, rest: Any):
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        if self._head:
            n = min(len(view), len(self._head))
            view[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(view))
        view[: len(data)] = data
        return len(data)


def _read_records(
    raw: Any,
    url: str,
    hosts: SourceHosts,
    window: tuple[datetime, datetime],
    run_id: str,
    max_bytes: int,
    fetched_at: str,
    result: WarcRead,
) -> None:
    head = raw.read(5)
    gzipped = head[:2] == b"\x1f\x8b"
    if not gzipped and head != b"WARC/":
        what = "empty" if not head else f"starts with {head!r}"
        raise _NotWarc(f"not a WARC file: neither gzip nor an uncompressed WARC ({what}): {url}")
    records = _CheckedIterator(io.BufferedReader(_Prefixed(head, raw), 1 << 16))
    counts = result.counts
    for record in records:
        counts["records"] += 1
        if record.rec_type != "response":
            _drain(record, counts)
            continue
        counts["responses"] += 1
        page = _page(record, hosts, window, run_id, max_bytes, fetched_at, result)
        if not _drain(record, counts) and page is not None:  # a cut record is not kept
            counts["kept"] += 1
            result.pages.append(page)
    if counts["truncated_records"] or records.partial_member:
        raise _NotWarc(
            f"truncated WARC: it ends inside a record, after {counts['records']} records "
            f"({counts['kept']} pages kept from them): {url}"
        )


def _drain(record: Any, counts: Counter[str]) -> bool:
    """Read what is left of a record's block; True when it is shorter than its
    Content-Length (the file was cut inside it)."""
    stream = record.raw_stream
    while stream.read(1 << 16):
        pass
    if getattr(stream, "limit", 0) > 0:
        counts["truncated_records"] += 1
        return True
    return False


class _CheckedIterator(ArchiveIterator):  # type: ignore[misc]
    """warcio's iterator, remembering whether the stream ended inside a gzip member (warcio
    takes a cut file for a shorter one)."""

    partial_member = False

    def close(self) -> None:
        reader = getattr(self, "reader", None)
        decompressor = getattr(reader, "decompressor", None) if reader is not None else None
        if decompressor is not None and hasattr(decompressor, "eof"):
            self.partial_member = not decompressor.eof
        super().close()


def _page(
    record: Any,
    hosts: SourceHosts,
    window: tuple[datetime, datetime],
    run_id: str,
    max_bytes: int,
    fetched_at: str,
    result: WarcRead,
) -> dict[str, Any] | None:
    """The spool-style page of a response record, or None (counted) when it is not kept."""
    counts = result.counts
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI") or ""
    source = hosts.source_for(url)
    if source is None:
        counts["other_hosts"] += 1
        return None
    when = _warc_date(headers.get_header("WARC-Date"))
    if when is None or not window[0] <= when < window[1]:
        counts["outside_window"] += 1
        result.outside_window[source] += 1
        return None
    http = record.http_headers
    status = http.get_statuscode() if http is not None else None
    if status != "200":
        counts["not_200"] += 1
        return None
    ctype = (http.get_header("Content-Type") or "").strip()
    if not any(t in ctype.lower() for t in HTML_TYPES):
        counts["not_html"] += 1
        return None
    body = record.content_stream().read(max_bytes + 1)
    if len(body) > max_bytes:
        counts["too_large"] += 1
        return None
    if _binary(body):
        counts["not_html"] += 1
        return None
    record_id = headers.get_header("WARC-Record-ID") or f"{result.url}#{counts['records']}"
    return {
        "fetch_id": fetch_id(run_id, "article", f"{url} {record_id}"),
        "run_id": run_id,
        "source": source,
        "kind": "article",
        "url": url,
        "final_url": url,
        "page_url": url,
        "status": 200,
        "content_type": ctype,
        "fetched_at": fetched_at,
        "outcome": "fetched",
        "error": None,
        "encoding": _charset(ctype),
        "body": base64.b64encode(zlib.compress(body, 6)).decode("ascii"),
        "body_sha1": hashlib.sha1(body).hexdigest(),
        "size": len(body),
        "language_hint": hosts.languages.get(source),
        "listed_date": None,
        "links_found": None,
        "validators": None,
    }


def _binary(body: bytes) -> bool:
    """Binary data served as HTML (as the spiders judge it): NUL bytes near the top outside
    UTF-16, or a body still gzip-compressed."""
    head = body[:1024]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return False
    return head[:2] == b"\x1f\x8b" or b"\x00" in head


def _charset(ctype: str) -> str | None:
    found = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", ctype, re.IGNORECASE)
    return found.group(1) if found else None


def _warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _describe(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown error"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _fetch_error(exc: BaseException) -> tuple[str, str]:
    """(outcome, message) for an error reading from the archive: an HTTP status is an
    http_error; a dead host, refused connection or timeout (an OSError, aiohttp's errors) a
    network_error; anything else the data's fault (warcio, zlib or gzip choking on it), a
    parse_error."""
    status = getattr(exc, "status", None)
    if isinstance(exc, WarcUnreachable):
        return ("network_error" if status is None else "http_error"), str(exc)
    if isinstance(status, int) and status >= 400:
        return "http_error", f"HTTP {status}: {_describe(exc)}"
    if isinstance(exc, gzip.BadGzipFile | zlib.error | EOFError | UnicodeDecodeError):
        return "parse_error", _describe(exc)
    if isinstance(exc, OSError | TimeoutError) or type(exc).__module__.startswith("aiohttp"):
        return "network_error", _describe(exc)
    return "parse_error", _describe(exc)
