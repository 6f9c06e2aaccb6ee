"""Digest periods: which day or week a story falls in, and when that period is over.

A daily digest covers one UTC day, a weekly digest one ISO week (Monday 00:00 to Sunday 24:00
UTC). A story belongs to the period in which it first matched the watch. A period's digest
goes out at the first ingest or backfill that ends after the period closed, or when
``gigawatch watch digest`` is run; a period with no story sends nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta


def period_start(when: datetime, digest: str) -> date:
    """The first day of the ``digest`` period (``daily`` or ``weekly``) holding ``when``."""
    day = when.astimezone(UTC).date() if when.tzinfo else when.date()
    return day - timedelta(days=day.weekday()) if digest == "weekly" else day


def period_end(start: date, digest: str) -> datetime:
    """When the period starting on ``start`` is over (exclusive, UTC)."""
    days = 7 if digest == "weekly" else 1
    return datetime.combine(start + timedelta(days=days), time(), tzinfo=UTC)


def is_closed(start: date, digest: str, now: datetime) -> bool:
    return now >= period_end(start, digest)


def describe(start: date, digest: str) -> str:
    """``Monday 6 Oct 2025`` for a day, ``week of 6 Oct 2025 (6–12 Oct)`` for a week."""
    if digest == "weekly":
        last = start + timedelta(days=6)
        days = f"{start:%-d}–{last:%-d %b}" if start.month == last.month else (
            f"{start:%-d %b}–{last:%-d %b}")  # fmt: skip
        return f"week of {start:%-d %b %Y} ({days})"
    return f"{start:%A %-d %b %Y}"
