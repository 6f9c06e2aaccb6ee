"""What one crawl should do, handed from the flow to the Scrapy child process as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path


@dataclass
class CrawlPlan:
    """Parameters of one crawl beyond the sources file.

    ``since``/``until`` (inclusive days, ISO format) make it a backfill: feed items, sitemap
    entries and archive pages outside the window are skipped, and ``archives``/``cdx`` sources
    are enumerated for the window. ``validators`` maps feed and sitemap URLs to the ETag and
    Last-Modified of their last complete fetch, for conditional requests. ``lake``: the URL of
    the Parquet lake the batches are written to, the warehouse being its catalogue (None: the
    warehouse file holds everything).
    """

    run_id: str
    only: list[str] = field(default_factory=list)
    known_urls_file: str | None = None
    validators: dict[str, dict[str, str | None]] = field(default_factory=dict)
    since: str | None = None
    until: str | None = None
    refresh: bool = False
    stats_file: str | None = None
    lake: str | None = None  # a Parquet lake's URL: batches go there (warehouse/lake.py)

    @property
    def backfill(self) -> bool:
        return self.since is not None or self.until is not None

    def window(self) -> tuple[datetime | None, datetime | None]:
        """The window as [start, end) in UTC."""
        start = (
            datetime.combine(date.fromisoformat(self.since), time(), UTC) if self.since else None
        )
        end = (
            datetime.combine(date.fromisoformat(self.until) + timedelta(days=1), time(), UTC)
            if self.until
            else None
        )
        return start, end

    def in_window(self, when: datetime | None) -> bool:
        """Whether a dated entry falls in the window (undated entries are let through)."""
        if when is None:
            return True
        start, end = self.window()
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return (start is None or when >= start) and (end is None or when < end)

    def save(self, path: Path) -> Path:
        path.write_text(json.dumps(asdict(self)), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> CrawlPlan:
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))
