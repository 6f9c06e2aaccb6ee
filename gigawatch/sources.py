"""The sources file: which outlets to crawl and how politely.

A TOML file users edit (default ``sources.toml``). ``load_sources`` validates every entry and
raises ``SourcesError`` listing each problem with the entry and key it concerns, so that
``gigawatch sources check`` can say exactly what is wrong without running anything.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_SOURCES = Path("sources.toml")

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


class SourcesError(ValueError):
    """The sources file is invalid; ``problems`` lists every error found."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


@dataclass(frozen=True)
class CrawlSettings:
    """Politeness and limits for the whole crawl (the ``[crawl]`` table)."""

    download_delay: float = 1.0
    concurrent_requests_per_domain: int = 2
    autothrottle: bool = True
    autothrottle_target_concurrency: float = 1.0
    obey_robots: bool = True
    max_page_bytes: int = 5 * 1024 * 1024
    max_pages_per_source: int = 2000
    depth_limit: int = 3
    download_timeout: float = 30.0
    retry_times: int = 2
    max_retry_after: float = 120.0  # longest Retry-After (429/503) waited for, seconds
    cdx_api: str = "https://web.archive.org/cdx/search/cdx"
    cdx_snapshot: str = "https://web.archive.org/web/{timestamp}id_/{url}"
    cdx_recent_days: int = 7


@dataclass(frozen=True)
class Source:
    """One outlet (a ``[[source]]`` entry)."""

    name: str
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    start_urls: list[str] = field(default_factory=list)
    allowed_domains: list[str] = field(default_factory=list)
    follow: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    archives: list[str] = field(default_factory=list)
    cdx: list[str] = field(default_factory=list)
    language: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SourcesConfig:
    path: str
    crawl: CrawlSettings
    sources: list[Source]

    def select(self, names: list[str] | None) -> SourcesConfig:
        """Only the named sources; unknown names are an error."""
        if not names:
            return self
        known = {s.name for s in self.sources}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise SourcesError(self.path, [f"unknown source {n!r}" for n in unknown])
        chosen = [s for s in self.sources if s.name in names]
        return SourcesConfig(self.path, self.crawl, chosen)


_URL_LISTS = ("feeds", "sitemaps", "start_urls", "archives")
_DISCOVERY = (*_URL_LISTS, "cdx")
ARCHIVE_PLACEHOLDERS = ("{yyyy}", "{mm}", "{dd}")
_REGEX_LISTS = ("follow", "articles")


def _unknown_key(key: str, allowed: list[str]) -> str:
    hint = difflib.get_close_matches(key, allowed, n=1)
    extra = f" (did you mean {hint[0]!r}?)" if hint else f" (expected one of: {', '.join(allowed)})"
    return f"unknown key {key!r}{extra}"


def _check_url(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"{value!r} is not a string"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"bad URL {value!r} (expected http:// or https:// with a host)"
    return None


def _parse_crawl(raw: Any, problems: list[str]) -> CrawlSettings:
    if raw is None:
        return CrawlSettings()
    if not isinstance(raw, dict):
        problems.append("[crawl] must be a table")
        return CrawlSettings()
    allowed = {f.name: f for f in fields(CrawlSettings)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in allowed:
            problems.append(f"[crawl]: {_unknown_key(key, list(allowed))}")
            continue
        default = getattr(CrawlSettings(), key)
        kind = type(default)
        ok = isinstance(value, kind) or (kind is float and isinstance(value, int))
        if isinstance(value, bool) and kind is not bool:
            ok = False
        if not ok:
            problems.append(f"[crawl]: {key} must be a {kind.__name__}, got {value!r}")
            continue
        if kind is float and not math.isfinite(value):
            problems.append(f"[crawl]: {key} must be a finite number, got {value!r}")
            continue
        if kind in (int, float) and value < 0:
            problems.append(f"[crawl]: {key} must not be negative, got {value!r}")
            continue
        values[key] = kind(value)
    return CrawlSettings(**values)


def _parse_source(i: int, raw: Any, problems: list[str]) -> Source | None:
    if not isinstance(raw, dict):
        problems.append(f"source[{i}]: must be a table")
        return None
    name = raw.get("name")
    label = f"source[{i}]" + (f" {name!r}" if isinstance(name, str) else "")
    before = len(problems)
    allowed = [f.name for f in fields(Source)]
    for key in raw:
        if key not in allowed:
            problems.append(f"{label}: {_unknown_key(key, allowed)}")
    if name is None:
        problems.append(f"{label}: missing 'name'")
    elif not isinstance(name, str) or not NAME_RE.match(name):
        problems.append(
            f"{label}: name must be lowercase letters, digits, '.', '_' or '-', got {name!r}"
        )
    for key in (*_URL_LISTS, "allowed_domains", "cdx", *_REGEX_LISTS):
        value = raw.get(key, [])
        if not isinstance(value, list):
            problems.append(f"{label}: {key} must be a list, got {value!r}")
            continue
        for item in value:
            if key in _URL_LISTS:
                err = _check_url(item)
                if err:
                    problems.append(f"{label}: {key}: {err}")
                elif key == "archives" and not any(p in item for p in ARCHIVE_PLACEHOLDERS):
                    problems.append(
                        f"{label}: archives: {item!r} has no date placeholder "
                        "({yyyy}, {mm} or {dd})"
                    )
            elif not isinstance(item, str) or not item:
                problems.append(f"{label}: {key}: {item!r} is not a non-empty string")
            elif key in _REGEX_LISTS:
                try:
                    re.compile(item)
                except re.error as exc:
                    problems.append(f"{label}: {key}: bad regular expression {item!r}: {exc}")
    if not any(raw.get(k) for k in _DISCOVERY):
        problems.append(
            f"{label}: needs at least one of feeds, sitemaps, start_urls, archives or cdx"
        )
    language = raw.get("language")
    if language is not None and (
        not isinstance(language, str) or not re.fullmatch(r"[a-z]{2}", language)
    ):
        problems.append(f"{label}: language must be a two-letter ISO 639-1 code, got {language!r}")
    if len(problems) > before:
        return None
    domains = list(raw.get("allowed_domains", []))
    if raw.get("start_urls") and not domains:
        domains = sorted({urlsplit(u).hostname or "" for u in raw["start_urls"]})
    return Source(
        name=name,
        feeds=list(raw.get("feeds", [])),
        sitemaps=list(raw.get("sitemaps", [])),
        start_urls=list(raw.get("start_urls", [])),
        allowed_domains=domains,
        follow=list(raw.get("follow", [])),
        articles=list(raw.get("articles", [])),
        archives=list(raw.get("archives", [])),
        cdx=list(raw.get("cdx", [])),
        language=language,
    )


def parse_sources(text: str, path: Path | str = "<string>") -> SourcesConfig:
    """Validate sources TOML text; raise SourcesError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(path, [f"not valid TOML: {exc}"]) from exc
    problems: list[str] = []
    for key in data:
        if key not in ("crawl", "source"):
            problems.append(f"top level: {_unknown_key(key, ['crawl', 'source'])}")
    crawl = _parse_crawl(data.get("crawl"), problems)
    raw_sources = data.get("source", [])
    if not isinstance(raw_sources, list) or not raw_sources:
        problems.append("no [[source]] entries")
        raw_sources = []
    sources: list[Source] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_sources):
        source = _parse_source(i, raw, problems)
        if source is None:
            continue
        if source.name in seen:
            problems.append(f"source[{i}] {source.name!r}: duplicate name")
            continue
        seen.add(source.name)
        sources.append(source)
    if problems:
        raise SourcesError(path, problems)
    return SourcesConfig(str(path), crawl, sources)


def load_sources(path: Path | str = DEFAULT_SOURCES) -> SourcesConfig:
    """Read and validate a sources file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SourcesError(path, ["file not found"]) from exc
    except UnicodeDecodeError as exc:
        raise SourcesError(path, [f"not UTF-8 text: {exc}"]) from exc
    return parse_sources(text, path)
