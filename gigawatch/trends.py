"""Trend questions over the warehouse views: who is in the news, what was announced, who rises.

Every function takes an open DuckDB connection (read-only is enough) and returns a
:class:`Result` (column names and rows), so the CLI prints it and the report draws it. The SQL
reads the public trend views (``org_weekly``, ``topic_weekly``, ``power_deals``,
``money_deals``, ``rising``/``rising_at``, ``source_health``) and ``trend_articles``, the
relevant, non-duplicate articles they are built on.

Periods are whole days in UTC, both ends included. When ``until`` is not given it is the day
of the latest article in the warehouse (not today: an archive or the demo data keeps its own
time); when ``since`` is not given it is 12 intervals (weeks or months) before ``until``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import duckdb

from warehouse.db import read_sql

INTERVALS = ("week", "month")
KINDS = {"orgs": "org", "topics": "topic"}
SPARK = "▁▂▃▄▅▆▇█"


@dataclass
class Result:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    title: str = ""
    notes: list[str] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Period:
    since: date
    until: date
    interval: str = "week"

    @property
    def label(self) -> str:
        return f"{self.since:%-d %b %Y} – {self.until:%-d %b %Y}"

    def buckets(self) -> list[date]:
        """Start of every week (Monday) or month overlapping the period."""
        out: list[date] = []
        cur = bucket_start(self.since, self.interval)
        while cur <= self.until:
            out.append(cur)
            cur = next_bucket(cur, self.interval)
        return out


def bucket_start(day: date, interval: str) -> date:
    if interval == "month":
        return day.replace(day=1)
    return day - timedelta(days=day.weekday())


def next_bucket(start: date, interval: str) -> date:
    if interval == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=7)


def bucket_label(start: date, interval: str) -> str:
    if interval == "month":
        return f"{start:%Y-%m}"
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}"


def latest_day(con: duckdb.DuckDBPyConnection) -> date | None:
    """Day (UTC) of the latest article in the warehouse, capped at today."""
    rows = con.execute(read_sql("read/trends_latest_day")).fetchall()
    return rows[0][0] if rows else None


def period(
    con: duckdb.DuckDBPyConnection,
    since: date | None = None,
    until: date | None = None,
    interval: str = "week",
) -> Period:
    """The period asked for, with defaults from the data (see the module docstring)."""
    if interval not in INTERVALS:
        raise ValueError(f"unknown interval {interval!r}: use week or month")
    until = until or latest_day(con) or date.today()
    if since is None:
        start = bucket_start(until, interval)
        for _ in range(11):
            start = bucket_start(start - timedelta(days=1), interval)
        since = start
    if since > until:
        raise ValueError(f"--since {since} is after --until {until}")
    return Period(since, until, interval)


def sparkline(values: list[int]) -> str:
    """One character per value, scaled to the row's maximum; '·' for zero."""
    top = max(values, default=0)
    if top <= 0:
        return "·" * len(values)
    return "".join(
        "·" if v <= 0 else SPARK[min(len(SPARK) - 1, round((v / top) * (len(SPARK) - 1)))]
        for v in values
    )


# -- organisations and topics ---------------------------------------------------------------

# Per week: the views themselves. Per month: the same counts from trend_articles.
_SERIES_SQL = {
    ("org", "week"): "read/trends_org_weeks",
    ("topic", "week"): "read/trends_topic_weeks",
    "month": "read/trends_name_months",
}


def names_over_time(
    con: duckdb.DuckDBPyConnection, kind: str, per: Period, top: int = 10
) -> tuple[list[tuple[Any, ...]], dict[str, dict[date, int]]]:
    """The ``top`` names of ``kind`` (org, topic) by stories in the period, and each one's
    stories per interval: (totals rows, {name: {bucket start: stories}})."""
    totals = con.execute(
        read_sql("read/trends_name_totals"),
        {"kind": kind, "since": per.since, "until": per.until, "top": top},
    ).fetchall()
    names = [r[0] for r in totals]
    series: dict[str, dict[date, int]] = {n: {} for n in names}
    if names:
        first = bucket_start(per.since, per.interval)
        if per.interval == "week":
            sql, params = _SERIES_SQL[(kind, "week")], {"names": names}
        else:
            sql, params = _SERIES_SQL["month"], {"names": names, "kind": kind}
        for name, bucket, stories in con.execute(
            read_sql(sql), {**params, "first": first, "until": per.until}
        ).fetchall():
            series[name][bucket] = stories
    return totals, series


def names_table(con: duckdb.DuckDBPyConnection, what: str, per: Period, top: int = 10) -> Result:
    """``gigawatch trends orgs|topics``: the names most in the news, with a sparkline of their
    stories per interval."""
    kind = KINDS[what]
    totals, series = names_over_time(con, kind, per, top)
    buckets = per.buckets()
    rows = []
    for rank, (name, stories, articles, outlets, languages) in enumerate(totals, 1):
        values = [series[name].get(b, 0) for b in buckets]
        rows.append((rank, name, stories, articles, outlets, ", ".join(languages),
                     sparkline(values), values[-1] if values else 0))  # fmt: skip
    label = "organisation" if kind == "org" else "topic"
    last = bucket_label(buckets[-1], per.interval) if buckets else ""
    cols = ["#", label, "stories", "articles", "outlets", "languages",
            f"stories per {per.interval} ({bucket_label(buckets[0], per.interval)} → {last})"
            if buckets else "trend", last or "last"]  # fmt: skip
    title = f"{'Organisations' if kind == 'org' else 'Topics'} in the news, {per.label}"
    return Result(cols, rows, title)


# -- deals ----------------------------------------------------------------------------------

# one row per story: warehouse/sql/read/trends_{power,money}_deals.sql, whose optional filters
# ($ids, $k per $interval, $limit) are NULL when not asked for
_DEALS_SQL = {"power": "read/trends_power_deals", "money": "read/trends_money_deals"}
# per interval (week or month, UTC): stories and GW or US$ bn, each story once
_PER_INTERVAL_SQL = {
    "power": "read/trends_power_per_interval",
    "money": "read/trends_money_per_interval",
}

QUALIFIER_SIGN = {"up_to": "≤ ", "more_than": "> ", "about": "~ ", "range": ""}


def deals(
    con: duckdb.DuckDBPyConnection, kind: str, per: Period, limit: int | None = None
) -> Result:
    """The power or money deals (one per story) first seen in the period, largest first;
    the ``limit`` largest when given."""
    return _deals(con, kind, per, limit=None if limit is None else int(limit))


def deals_of_stories(
    con: duckdb.DuckDBPyConnection, kind: str, per: Period, story_ids: list[int]
) -> Result:
    """The power or money deals of these stories, first seen in the period."""
    return _deals(con, kind, per, ids=story_ids)


def largest_per_interval(con: duckdb.DuckDBPyConnection, kind: str, per: Period, k: int) -> Result:
    """The ``k`` largest power or money deals of each interval of the period."""
    return _deals(con, kind, per, k=int(k))


def _deals(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    per: Period,
    ids: list[int] | None = None,
    k: int | None = None,
    limit: int | None = None,
) -> Result:
    params = {"since": per.since, "until": per.until, "interval": per.interval,
              "ids": ids, "k": k, "limit": limit}  # fmt: skip
    cur = con.execute(read_sql(_DEALS_SQL[kind]), params)
    cols = [d[0] for d in cur.description]
    return Result(cols, cur.fetchall())


def day_of(value: Any) -> date:
    """The date of a DATE or TIMESTAMPTZ value as DuckDB returns it."""
    return value.date() if hasattr(value, "date") else value


def deals_per_interval(
    con: duckdb.DuckDBPyConnection, kind: str, per: Period
) -> list[tuple[date, int, float]]:
    """(bucket start, stories, GW or US$ bn) for every interval of the period, each story
    counted once, in the interval of its first article."""
    got = {
        b: (n, v)
        for b, n, v in con.execute(
            read_sql(_PER_INTERVAL_SQL[kind]),
            {"interval": per.interval, "since": per.since, "until": per.until},
        ).fetchall()
    }
    out = []
    for b in per.buckets():
        n, v = got.get(b, (0, 0.0))
        out.append((b, n, round(v, 3)))
    return out


def format_figure(rec: dict[str, Any], kind: str) -> str:
    sign = QUALIFIER_SIGN.get(rec.get("qualifier") or "", "")
    if kind == "power":
        low = f"{rec['gw_low']:g}–" if rec.get("gw_low") is not None else ""
        return f"{sign}{low}{rec['gw']:g} GW"
    amount, currency = rec["amount"], rec["currency"] or ""
    low = f"{rec['amount_low'] / 1e9:g}–" if rec.get("amount_low") is not None else ""
    text = f"{sign}{low}{amount / 1e9:,.3g} bn {currency}".strip()
    if currency != "USD" and rec.get("amount_usd"):
        text += f" (${rec['amount_usd'] / 1e9:,.3g} bn)"
    return text


def deals_tables(
    con: duckdb.DuckDBPyConnection, kind: str, per: Period, top: int = 10
) -> list[Result]:
    """``gigawatch trends power|money``: totals per interval, then the largest deals."""
    found = deals(con, kind, per, limit=top)
    unit = "GW" if kind == "power" else "US$ bn"
    what = "Capacity" if kind == "power" else "Money"
    totals = deals_per_interval(con, kind, per)
    per_interval = [(bucket_label(b, per.interval), n, round(v, 2)) for b, n, v in totals]
    stories = sum(n for _, n, _ in totals)
    total = sum(v for _, _, v in per_interval)
    notes = [f"{stories} stories, {total:,.1f} {unit} in all."]
    while per_interval and per_interval[0][1] == 0:  # nothing yet: not worth a row each
        per_interval.pop(0)
    if per_interval and per_interval[0][0] != bucket_label(per.buckets()[0], per.interval):
        notes.append(f"Nothing announced before {per_interval[0][0]}.")
    summary = Result(
        [per.interval, "stories", unit], per_interval,
        f"{what} announced per {per.interval}, each story counted once, {per.label}",
        notes,
    )  # fmt: skip
    rows = []
    for rec in found.records():
        rows.append((day_of(rec["first_seen"]), format_figure(rec, kind), ", ".join(rec["orgs"]),
                     rec["headline"], rec["n_sources"], ", ".join(rec["languages"])))  # fmt: skip
    largest = Result(
        ["first seen", "figure", "organisations", "headline", "outlets", "languages"], rows,
        f"Largest {'capacity' if kind == 'power' else 'money'} announcements, {per.label}",
    )  # fmt: skip
    return [summary, largest]


# -- rising ---------------------------------------------------------------------------------


def rising(con: duckdb.DuckDBPyConnection, until: date | None = None, top: int = 20) -> Result:
    """Names whose stories in the 7 days to ``until`` (default: the latest article's day) are
    well above their baseline (see the ``rising`` view)."""
    if until is None:
        sql, params = "read/trends_rising", {"top": int(top)}
    else:
        sql, params = "read/trends_rising_at", {"until": until, "top": int(top)}
    cur = con.execute(read_sql(sql), params)
    columns, rows = [d[0] for d in cur.description], cur.fetchall()
    end = until or latest_day(con)
    start = end - timedelta(days=6) if end else None
    title = f"Rising in the 7 days {start:%-d %b} – {end:%-d %b %Y}" if end else "Rising"
    notes = []
    if not rows:
        notes.append(
            "No organisation or accelerator had at least 2 stories and twice its weekly "
            "baseline (the 8 weeks before) in these 7 days."
        )
    return Result(columns, rows, title, notes)


def recent_rising(
    con: duckdb.DuckDBPyConnection, until: date, weeks: int = 8, top: int = 10
) -> tuple[date, Result] | None:
    """The latest of the ``weeks`` 7-day windows ending on ``until``, ``until`` - 7, ... in
    which something rose, with its rising names; None if none did."""
    for k in range(weeks):
        day = until - timedelta(days=7 * k)
        found = rising(con, day, top)
        if found.rows:
            return day, found
    return None


# -- sources ---------------------------------------------------------------------------------


def source_health(con: duckdb.DuckDBPyConnection) -> Result:
    cur = con.execute(read_sql("read/trends_source_health"))
    return Result([d[0] for d in cur.description], cur.fetchall(), "Source health")
