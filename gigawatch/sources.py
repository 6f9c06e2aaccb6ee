"""The sources file: which outlets to crawl and how politely.

A TOML file users edit (default ``sources.toml``). ``load_sources`` validates every entry and
raises ``SourcesError`` listing each problem with the entry and key it concerns, so that
``gigawatch sources check`` can say exactly what is wrong without running anything.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from gigawatch.config import (
    ARCHIVE_PLACEHOLDERS,
    NAME_RE,
    CcNewsSettings,
    CrawlSettings,
    Source,
    SourcesFile,
    format_errors,
)
from gigawatch.settings import DEFAULT_SOURCES

__all__ = [
    "ARCHIVE_PLACEHOLDERS",
    "DEFAULT_SOURCES",
    "CcNewsSettings",
    "NAME_RE",
    "CrawlSettings",
    "Source",
    "SourcesConfig",
    "SourcesError",
    "load_sources",
    "parse_sources",
]


class SourcesError(ValueError):
    """The sources file is invalid; ``problems`` lists every error found."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


@dataclass(frozen=True)
class SourcesConfig:
    path: str
    crawl: CrawlSettings
    sources: list[Source]
    watches: str | None = None  # the watches file (its key resolved beside the sources file)
    cc_news: CcNewsSettings = CcNewsSettings()  # the [cc_news] table: CC-NEWS backfills

    def select(self, names: list[str] | None) -> SourcesConfig:
        """Only the named sources; unknown names are an error."""
        if not names:
            return self
        known = {s.name for s in self.sources}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise SourcesError(self.path, [f"unknown source {n!r}" for n in unknown])
        chosen = [s for s in self.sources if s.name in names]
        return SourcesConfig(self.path, self.crawl, chosen, self.watches, self.cc_news)


def parse_sources(text: str, path: Path | str = "<string>") -> SourcesConfig:
    """Validate sources TOML text; raise SourcesError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(path, [f"not valid TOML: {exc}"]) from exc
    try:
        parsed = SourcesFile.model_validate(data)
    except ValidationError as exc:
        raise SourcesError(path, format_errors(path, exc, data)) from None
    watches = None
    if parsed.watches is not None:
        watches = str(Path(path).parent / Path(parsed.watches).expanduser())
    return SourcesConfig(str(path), parsed.crawl, list(parsed.source), watches, parsed.cc_news)


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
