"""What the watches read and write in the warehouse.

Reads go through the SQL sandbox (``warehouse/sandbox.py``: read-only, no external access,
a timeout and a row limit), the watch's own SQL and the story snapshots alike; writes (the
``watch_alerts`` and ``watch_deliveries`` tables of migration 0009) are the caller's small
transaction (``db.writer``), after the messages were sent. SQL: ``sql/watches/*.sql``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from gigawatch.watches.deliver import Outcome
from gigawatch.watches.model import SqlSettings
from gigawatch.watches.story import Snapshot
from warehouse import sandbox
from warehouse.db import read_sql


def limits(settings: SqlSettings) -> sandbox.Limits:
    return sandbox.Limits(timeout=settings.timeout, max_rows=settings.max_rows)


def open_reader(db: Path | str, settings: SqlSettings) -> duckdb.DuckDBPyConnection:
    """A sandboxed read-only connection to the warehouse (as ``gigawatch query``'s)."""
    return sandbox.open_sandbox(db, limits(settings))


def _records(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cols = [d[0] for d in cur.description or []]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def batch_stories(con: duckdb.DuckDBPyConnection, article_ids: Sequence[int]) -> list[int]:
    """The stories the articles ``article_ids`` belong to now."""
    rows = con.execute(read_sql("watches/batch_stories"), {"ids": list(article_ids)}).fetchall()
    return [int(r[0]) for r in rows]


def snapshots(con: duckdb.DuckDBPyConnection, story_ids: Sequence[int] | None) -> list[Snapshot]:
    """The stories ``story_ids`` (None: every story) as watches see them, oldest first."""
    params = {"all": story_ids is None, "ids": list(story_ids or [])}
    return [
        Snapshot.from_row(r) for r in _records(con.execute(read_sql("watches/snapshots"), params))
    ]


def check_sql(con: duckdb.DuckDBPyConnection, sql: str) -> duckdb.DuckDBPyRelation:
    """The watch query ``sql`` as a relation, or :class:`sandbox.SqlRefused`: one SELECT (no
    EXPLAIN, DDL, COPY, ATTACH, SET…, nor several statements) returning a ``story_id`` column.
    Binding it runs DuckDB's own checks, so a file or URL is refused here (external access is
    off in the sandbox)."""
    stmt = sandbox.check_statement(con, sql)
    if con.extract_statements(stmt)[0].type != duckdb.StatementType.SELECT:
        raise sandbox.SqlRefused("refused: a watch's sql must be a SELECT query")
    try:
        rel = con.sql(stmt)
    except duckdb.PermissionException as exc:
        raise sandbox.SqlRefused("refused: " + str(exc).strip().splitlines()[0]) from None
    if rel is None:
        raise sandbox.SqlRefused("refused: a watch's sql must be a SELECT query")
    if "story_id" not in [c.lower() for c in rel.columns]:
        raise sandbox.SqlRefused(
            f"refused: a watch's sql must return a story_id column; it returns {rel.columns}"
        )
    return rel


def sql_stories(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    story_ids: Sequence[int] | None,
    settings: SqlSettings,
) -> list[int]:
    """The stories among ``story_ids`` (None: all) that the watch query ``sql`` returns, within
    the sandbox's timeout and row limit (rows past it are ignored)."""
    with sandbox.deadline(con, settings.timeout):
        rel = check_sql(con, sql)
        rel = rel.select("TRY_CAST(story_id AS BIGINT) AS story_id").filter("story_id IS NOT NULL")
        if story_ids is not None:
            if not story_ids:
                return []
            wanted = ", ".join(str(int(i)) for i in story_ids)
            rel = rel.filter(f"story_id IN ({wanted})")
        result = sandbox.stream(con, rel.distinct().sql_query(), settings.max_rows)
        return sorted({int(r[0]) for r in result.rows})


@dataclass(frozen=True)
class Known:
    alert_id: str
    state: dict[str, Any]


def known_alerts(
    con: duckdb.DuckDBPyConnection, story_ids: Sequence[int]
) -> dict[tuple[str, int], Known]:
    """(watch, current story) -> its first alert, for the stories ``story_ids``."""
    out: dict[tuple[str, int], Known] = {}
    if not story_ids:
        return out
    cur = con.execute(read_sql("watches/known_alerts"), {"stories": list(story_ids)})
    for r in _records(cur):
        key = (r["watch"], int(r["story_id"]))
        if key not in out:
            out[key] = Known(r["alert_id"], json.loads(r["state"] or "{}"))
    return out


@dataclass(frozen=True)
class AlertRow:
    alert_id: str
    watch: str
    snapshot: Snapshot
    digest: str
    period: date | None
    at: datetime
    run_id: str
    new: bool


@dataclass(frozen=True)
class DeliveryRow:
    delivery_id: str
    watch: str
    alert_id: str | None
    period: date | None
    message: str  # alert | update | digest
    outcome: Outcome
    sent_at: datetime
    run_id: str


def record(
    con: duckdb.DuckDBPyConnection, alerts: Sequence[AlertRow], deliveries: Sequence[DeliveryRow]
) -> None:
    """Write new and updated alerts and the outcome of every message, in the caller's
    transaction."""
    for a in alerts:
        s = a.snapshot
        params: dict[str, Any] = {"alert_id": a.alert_id, "story_id": s.story_id,
                                  "headline": s.headline, "state": s.state_json(), "at": a.at,
                                  "run_id": a.run_id}  # fmt: skip
        if a.new:
            params |= {"watch": a.watch, "digest": a.digest, "period": a.period}
            con.execute(read_sql("watches/insert_alert"), params)
        else:
            con.execute(read_sql("watches/update_alert"), params)
    for d in deliveries:
        o = d.outcome
        con.execute(read_sql("watches/insert_delivery"), {
            "delivery_id": d.delivery_id, "watch": d.watch, "alert_id": d.alert_id,
            "period": d.period, "message": d.message, "channel": o.channel,
            "delivered": o.delivered, "attempts": o.attempts, "error": o.error,
            "sent_at": d.sent_at, "run_id": d.run_id,
        })  # fmt: skip


def digest_periods(con: duckdb.DuckDBPyConnection, watch: str) -> list[tuple[date, set[str]]]:
    """The periods of a digest watch that hold stories, each with the channels that already
    got its digest."""
    rows = con.execute(read_sql("watches/digest_periods"), {"watch": watch}).fetchall()
    return [(r[0], set(r[1] or [])) for r in rows]


def period_stories(con: duckdb.DuckDBPyConnection, watch: str, period: date) -> list[int]:
    rows = con.execute(read_sql("watches/period_stories"),
                       {"watch": watch, "period": period}).fetchall()  # fmt: skip
    return [int(r[0]) for r in rows]
