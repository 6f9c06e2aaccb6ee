"""Watches in the ingest and backfill flows: evaluate after each stored batch, send, record.

After a batch's transaction has committed (``flows/pipeline.py``), :func:`check_watches`
reads the batch's stories through the SQL sandbox, matches every watch of the watches file
against them, sends what is new (the first match of a story; an update when the watch asks for
updates and the story has more outlets or a new figure), and records the outcome in its own
small transaction. At the end of the run :func:`finish_watches` sends the digests whose period
has closed and publishes the run's messages as a Prefect markdown artifact. Nothing here fails
the ingest: a failed delivery is retried, then recorded with its error; a watch that cannot be
evaluated is logged and listed in the artifact.

Delivery is at least once: messages are sent before their record is written, so a run killed
between the two sends them again the next time the story is stored.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from gigawatch.config import ConfigError
from gigawatch.sources import SourcesConfig
from gigawatch.watches import load_watches, render, watches_path
from gigawatch.watches.deliver import Message, Outcome, send
from gigawatch.watches.model import Watch, WatchesFile
from gigawatch.watches.periods import is_closed, period_start
from gigawatch.watches.story import Snapshot, changes, matches
from warehouse import db as wh
from warehouse import sandbox, watch_store
from warehouse.watch_store import AlertRow, DeliveryRow

Log = Callable[[str], None]


@dataclass
class RunLog:
    """What the watches did in one run, for its artifact."""

    events: list[tuple[str, str, Snapshot | None, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    digests: list[tuple[str, Message]] = field(default_factory=list)  # (watch, digest)
    failed: int = 0  # deliveries that failed after their retries


_runs: dict[str, RunLog] = {}


def _run_log(run_id: str) -> RunLog:
    return _runs.setdefault(run_id, RunLog())


def with_watches(config: SourcesConfig, watches: str | None) -> SourcesConfig:
    """``config`` with the run's watches file (``watches``, else the sources file's key),
    validated now: a bad watches file fails the run before anything is crawled."""
    path = watches_path(watches, config.watches)
    if path is None:
        return config
    load_watches(path)  # ConfigError lists every problem
    return dataclasses.replace(config, watches=str(path.resolve()))


def _logger() -> Log:
    try:
        return get_run_logger().warning
    except Exception:
        import logging

        return logging.getLogger("gigawatch.watches").warning


def _deliver(watches: WatchesFile, watch: Watch, message: Message, fallback: str) -> list[Outcome]:
    """Send ``message`` to every channel of ``watch``; a watch without one goes to
    ``fallback`` (the run's artifact, or the terminal)."""
    if not watch.notify:
        return [Outcome(fallback, True, 1, None)]
    d = watches.delivery
    return [send(url, message, d.attempts, d.backoff, d.timeout) for url in watch.notify]


def _where(outcomes: Sequence[Outcome]) -> str:
    return ", ".join(o.channel if o.delivered else f"{o.channel} (failed: {o.error})"
                     for o in outcomes)  # fmt: skip


def evaluate_batch(
    database: Path,
    watches: WatchesFile,
    run_id: str,
    article_ids: Sequence[int],
    lock_timeout: float = wh.DEFAULT_LOCK_TIMEOUT,
    now: datetime | None = None,
    log: Log | None = None,
) -> RunLog:
    """Evaluate ``watches`` on the stories of ``article_ids``, send, record; what happened."""
    log = log or _logger()
    out = RunLog()
    if not watches.watch or not article_ids:
        return out
    now = now or datetime.now(UTC)
    con = watch_store.open_reader(database, watches.sql)
    try:
        stories = watch_store.batch_stories(con, article_ids)
        snaps = {s.story_id: s for s in watch_store.snapshots(con, stories)}
        known = watch_store.known_alerts(con, stories)
        matched: list[tuple[Watch, Snapshot]] = []
        for watch in watches.watch:
            try:
                if watch.filter is not None:
                    hits = [s for s in snaps.values() if matches(watch.filter, s)]
                else:
                    ids = watch_store.sql_stories(con, watch.sql or "", stories, watches.sql)
                    hits = [snaps[i] for i in ids if i in snaps]
            except (sandbox.SqlRefused, duckdb.Error) as exc:
                problem = f"watch {watch.name!r}: " + " ".join(str(exc).split())[:500]
                log(problem)
                out.problems.append(problem)
                continue
            matched += [(watch, s) for s in hits]
    finally:
        con.close()

    alerts: list[AlertRow] = []
    deliveries: list[DeliveryRow] = []
    for watch, s in matched:
        seen = known.get((watch.name, s.story_id))
        instant = watch.digest == "none"
        if seen is None:
            alert_id = uuid.uuid4().hex
            period = None if instant else period_start(now, watch.digest)
            alerts.append(AlertRow(alert_id, watch.name, s, watch.digest, period, now, run_id,
                                   new=True))  # fmt: skip
            if instant:
                outcomes = _deliver(watches, watch, render.alert(watch, s), "artifact")
                deliveries += [
                    DeliveryRow(uuid.uuid4().hex, watch.name, alert_id, None, "alert", o,
                                datetime.now(UTC), run_id) for o in outcomes
                ]  # fmt: skip
                out.events.append((watch.name, "alert", s, _where(outcomes)))
            else:
                out.events.append((watch.name, f"{watch.digest} digest: queued", s, ""))
            continue
        if seen.state == s.state():
            continue
        alerts.append(AlertRow(seen.alert_id, watch.name, s, watch.digest, None, now, run_id,
                               new=False))  # fmt: skip
        changed = changes(seen.state, s)
        if instant and watch.updates and changed:
            outcomes = _deliver(watches, watch, render.alert(watch, s, changed), "artifact")
            deliveries += [DeliveryRow(uuid.uuid4().hex, watch.name, seen.alert_id, None,
                                       "update", o, datetime.now(UTC), run_id)
                           for o in outcomes]  # fmt: skip
            out.events.append((watch.name, "update", s, _where(outcomes)))
    if alerts or deliveries:
        with wh.writer(database, lock_timeout) as wcon:  # after delivery, its own transaction
            watch_store.record(wcon, alerts, deliveries)
    for o in (d.outcome for d in deliveries):
        if not o.delivered:
            out.failed += 1
            log(f"delivery to {o.channel} failed after {o.attempts} attempts: {o.error}")
    return out


def send_due_digests(
    database: Path,
    watches: WatchesFile,
    run_id: str,
    lock_timeout: float = wh.DEFAULT_LOCK_TIMEOUT,
    now: datetime | None = None,
    fallback: str = "artifact",
    only: str | None = None,
    log: Log | None = None,
) -> RunLog:
    """Send the digest of every closed period that holds stories to each channel of its
    watch that has not got it yet (a failed channel is tried again next time)."""
    log = log or _logger()
    out = RunLog()
    now = now or datetime.now(UTC)
    due = [w for w in watches.watch if w.digest != "none" and (only is None or w.name == only)]
    if not due:
        return out
    from gigawatch.watches.deliver import masked

    deliveries: list[DeliveryRow] = []
    for watch in due:
        channels = {masked(u): u for u in watch.notify} or {fallback: ""}
        con = watch_store.open_reader(database, watches.sql)
        try:
            todo = []
            for period, sent_to in watch_store.digest_periods(con, watch.name):
                missing = [c for c in channels if c not in sent_to]
                if missing and is_closed(period, watch.digest, now):
                    ids = watch_store.period_stories(con, watch.name, period)
                    todo.append((period, missing, watch_store.snapshots(con, ids)))
        finally:
            con.close()
        for period, missing, snaps in todo:
            digest = render.Digest(watch, period, snaps)
            message = render.digest(digest)
            outcomes = []
            for channel in missing:
                url = channels[channel]
                if not url:
                    outcomes.append(Outcome(channel, True, 1, None))
                    continue
                d = watches.delivery
                outcomes.append(send(url, message, d.attempts, d.backoff, d.timeout))
            deliveries += [DeliveryRow(uuid.uuid4().hex, watch.name, None, period, "digest", o,
                                       datetime.now(UTC), run_id) for o in outcomes]  # fmt: skip
            out.events.append((watch.name, f"digest, {digest.period}", None, _where(outcomes)))
            out.digests.append((watch.name, message))
            out.failed += sum(not o.delivered for o in outcomes)
    if deliveries:
        with wh.writer(database, lock_timeout) as wcon:
            watch_store.record(wcon, [], deliveries)
    return out


def _load(path: str | None, run_id: str, log: Log) -> WatchesFile | None:
    if not path:
        return None
    try:
        return load_watches(path)
    except ConfigError as exc:
        problem = f"{path}: not evaluated: " + "; ".join(exc.problems)
        log(problem)
        _run_log(run_id).problems.append(problem)
        return None


@task(cache_policy=NO_CACHE)
def check_watches(
    database: Path, watches: str | None, run_id: str, article_ids: list[int], lock_timeout: float
) -> int:
    """Evaluate the watches file ``watches`` (None: no watches) on a stored batch; the number
    of messages sent. Never raises: a problem is logged and listed in the run's artifact."""
    if not watches or not article_ids:
        return 0
    log = get_run_logger().warning
    run = _run_log(run_id)
    try:
        parsed = _load(watches, run_id, log)
        if parsed is None:
            return 0
        done = evaluate_batch(database, parsed, run_id, article_ids, lock_timeout, log=log)
    except Exception as exc:  # the ingest goes on: its articles are stored
        problem = f"watches not evaluated on this batch: {type(exc).__name__}: {exc}"
        log(problem)
        run.problems.append(problem)
        return 0
    run.events += done.events
    run.problems += done.problems
    return len(done.events)


@task(cache_policy=NO_CACHE)
def finish_watches(
    database: Path, watches: str | None, run_id: str, lock_timeout: float
) -> str | None:
    """At the end of a run: send the due digests, then publish the run's messages as the
    markdown artifact ``watches``; returns its markdown (None without a watches file)."""
    if not watches:
        return None
    log = get_run_logger().warning
    run = _runs.pop(run_id, RunLog())
    try:
        parsed = _load(watches, run_id, log)
        if parsed is not None:
            done = send_due_digests(database, parsed, run_id, lock_timeout, log=log)
            run.events += done.events
    except Exception as exc:
        problem = f"digests not sent: {type(exc).__name__}: {exc}"
        log(problem)
        run.problems.append(problem)
    run.problems += _runs.pop(run_id, RunLog()).problems
    markdown = render.run_artifact(run.events, run.problems)
    try:
        create_markdown_artifact(key="watches", markdown=markdown,
                                 description=f"gigawatch watches, run {run_id}")  # fmt: skip
    except Exception as exc:
        log(f"watches artifact not created: {exc}")
    return markdown
