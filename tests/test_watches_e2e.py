"""Watches end to end: real crawls of two fixture outlets, real Prefect flow runs, a real
DuckDB file, alerts to a webhook receiver and an SMTP server, a channel that is down, a
hostile watch query, and the digest drawn in headless Chromium. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from flows.backfill import backfill
from flows.ingest import ingest
from flows.watches import send_due_digests
from gigawatch.cli import app
from gigawatch.watches import load_watches
from tests.sitekit import FixtureSite
from tests.test_report import CHROMIUM_FLAGS, _png_colours, chromium  # noqa: F401
from tests.watchkit import (
    AMD_DEAL,
    AMD_RETOLD,
    ORACLE_REGION,
    TPU_DEAL,
    Mailbox,
    Webhook,
    closed_port,
    html_part,
    publish,
    sources_toml,
)

pytestmark = pytest.mark.e2e

DAY = date(2025, 10, 6)


def _rows(db: Path, sql: str) -> list[dict[str, Any]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def _watches(hook: Webhook, mail: Mailbox, down: int) -> str:
    digest_to = mail.url("digest@example.org")
    return f"""
[delivery]
attempts = 3
backoff = 0.1
timeout = 3

[[watch]]
name = "gw-hook"
notify = ["json://127.0.0.1:{hook.port}/gw"]
[watch.filter]
min_gw = 1

[[watch]]
name = "amd-mail"
description = "AMD deals"
updates = true
notify = ["{mail.url()}", "json://127.0.0.1:{hook.port}/amd"]
[watch.filter]
organisations = ["amd"]
min_gw = 1

[[watch]]
name = "gw-down"
notify = ["json://127.0.0.1:{down}/nobody"]
[watch.filter]
min_gw = 1

[[watch]]
name = "two-outlets"
notify = ["json://127.0.0.1:{hook.port}/sql"]
sql = "SELECT story_id FROM stories WHERE n_sources >= 2"

[[watch]]
name = "sneaky"
notify = ["json://127.0.0.1:{hook.port}/sneaky"]
sql = "SELECT 1 AS story_id FROM read_csv('/etc/passwd')"

[[watch]]
name = "openai-daily"
digest = "daily"
notify = ["{digest_to}"]
[watch.filter]
organisations = ["OpenAI", "Anthropic"]
"""


@pytest.fixture
def world(tmp_path):
    with FixtureSite() as a, FixtureSite() as b, Webhook() as hook, Mailbox() as mail:
        publish(a, "Wire A", [("amd-deal", AMD_DEAL, DAY), ("tpu-deal", TPU_DEAL, DAY),
                              ("oracle-madrid", ORACLE_REGION, DAY)])  # fmt: skip
        publish(b, "Wire B", [])
        watches = tmp_path / "watches.toml"
        watches.write_text(_watches(hook, mail, closed_port()), encoding="utf-8")
        sources = tmp_path / "sources.toml"
        sources.write_text(sources_toml({"wire-a": a, "wire-b": b}, watches="watches.toml"),
                           encoding="utf-8")  # fmt: skip
        yield {"a": a, "b": b, "hook": hook, "mail": mail, "sources": sources,
               "watches": watches, "db": tmp_path / "w.duckdb"}  # fmt: skip


def _artifact(key: str) -> str:
    from prefect.client.orchestration import get_client

    async def latest() -> str:
        async with get_client() as client:
            found = [a for a in await client.read_artifacts() if a.key == key]
            return str(found[-1].data)

    return asyncio.run(latest())


def test_one_alert_per_story_across_two_ingests_updates_and_failures(prefect_harness, world):
    hook, mail, db = world["hook"], world["mail"], world["db"]
    first = ingest(sources=str(world["sources"]), db=str(db))
    assert first["status"] == "completed" and first["articles_new"] == 3
    # the webhook: one alert per story of 1 GW or more (the AMD and the TPU deals)
    gw = hook.at("/gw")
    assert len(gw) == 2
    titles = sorted(m["title"] for m in gw)
    assert titles == [
        "[gigawatch gw-hook] Anthropic secures a gigawatt of Google TPU capacity",
        "[gigawatch gw-hook] OpenAI orders six gigawatts of AMD accelerators",
    ]
    assert "6.0 GW" in next(m["message"] for m in gw if "AMD" in m["title"])
    # the mail: the AMD story only, with its HTML rendering
    mails = mail.wait(1)
    assert [m["Subject"] for m in mails] == [
        "[gigawatch amd-mail] OpenAI orders six gigawatts of AMD accelerators"
    ]
    assert "6.0 GW" in html_part(mails[0]) and "wire-a" in html_part(mails[0])
    assert hook.at("/sql") == [] and hook.at("/sneaky") == []
    artifact = _artifact("watches")
    assert "sneaky" in artifact and "/etc/passwd" in artifact  # refused, listed, not fatal

    # the channel that is down: three attempts each, recorded with the error; articles stored
    down = _rows(db, "SELECT * FROM alerts WHERE watch = 'gw-down' ORDER BY headline")
    assert len(down) == 2
    assert all(r["delivered"] is False and r["attempts"] == 3 for r in down)
    assert all("Connection refused" in r["error"] for r in down)
    assert _rows(db, "SELECT count(*) AS n FROM articles")[0]["n"] == 3

    # the second ingest adds wire-b's retelling of the AMD deal: the same story, updated
    publish(world["b"], "Wire B", [("amd-wins", AMD_RETOLD, DAY + timedelta(days=1))])
    second = ingest(sources=str(world["sources"]), db=str(db))
    assert second["articles_new"] == 1
    story = _rows(db, "SELECT story_id, n_sources FROM stories WHERE n_articles = 2")
    assert len(story) == 1 and story[0]["n_sources"] == 2, "the retelling joins the story"
    assert len(hook.at("/gw")) == 2  # no second alert
    assert len(hook.at("/amd")) == 2  # amd-mail asks for updates: one update message
    mails = mail.wait(2)
    assert len(mails) == 2
    update = mails[1]
    assert update["Subject"] == ("[gigawatch amd-mail] Update: OpenAI orders six gigawatts "
                                 "of AMD accelerators")  # fmt: skip
    assert "wire-b" in html_part(update) and "2 outlets" in hook.at("/amd")[1]["message"]
    # the SQL watch fires when the story first matches: now that two outlets told it
    sql = hook.at("/sql")
    assert len(sql) == 1 and "AMD accelerators" in sql[0]["title"]

    alerts = _rows(db, "SELECT watch, story_id, message, channel, delivered FROM alerts "
                       "WHERE watch IN ('gw-hook', 'amd-mail', 'two-outlets') "
                       "ORDER BY watch, message, channel")  # fmt: skip
    per_watch: dict[str, list[str]] = {}
    for r in alerts:
        per_watch.setdefault(r["watch"], []).append(r["message"])
        assert r["delivered"] is True
    assert per_watch == {"amd-mail": ["alert", "alert", "update", "update"],
                         "gw-hook": ["alert", "alert"], "two-outlets": ["alert"]}  # fmt: skip
    assert {r["story_id"] for r in alerts if r["watch"] == "two-outlets"} == {story[0]["story_id"]}
    first_fired = _rows(db, "SELECT first_fired, last_updated FROM watch_alerts "
                            "WHERE watch = 'amd-mail'")[0]  # fmt: skip
    assert first_fired["last_updated"] > first_fired["first_fired"]

    # a third run with nothing new sends nothing
    third = ingest(sources=str(world["sources"]), db=str(db))
    assert third["nothing_new"]
    assert len(hook.received) == 5 and len(mail.messages) == 2

    # the daily digest was held back; it goes out once its day is over, once
    assert _rows(db, "SELECT count(*) AS n FROM alerts WHERE watch = 'openai-daily' "
                     "AND delivered IS NULL")[0]["n"] == 2  # fmt: skip
    parsed = load_watches(world["watches"])
    now = datetime.now(UTC)
    assert send_due_digests(db, parsed, "test", now=now).events == []  # the day is not over
    done = send_due_digests(db, parsed, "test", now=now + timedelta(days=1))
    assert len(done.events) == 1 and done.failed == 0
    assert send_due_digests(db, parsed, "test", now=now + timedelta(days=2)).events == []
    digest = mail.wait(3)[2]
    assert digest["Subject"].startswith("[gigawatch openai-daily] Daily digest")
    html = html_part(digest)
    assert html.count("<tr data-story=") == 2
    sent = _rows(db, "SELECT DISTINCT message, delivered FROM alerts WHERE watch = 'openai-daily'")
    assert sent == [{"message": "digest", "delivered": True}]


def test_digest_renders_in_headless_chromium(prefect_harness, world, chromium, tmp_path):  # noqa: F811
    db = world["db"]
    ingest(sources=str(world["sources"]), db=str(db))
    done = send_due_digests(db, load_watches(world["watches"]), "test",
                            now=datetime.now(UTC) + timedelta(days=1))  # fmt: skip
    assert done.failed == 0
    page = tmp_path / "digest.html"
    digests = [m for m in world["mail"].wait(2) if "Daily digest" in m["Subject"]]
    assert len(digests) == 1, [m["Subject"] for m in world["mail"].messages]
    page.write_text(html_part(digests[0]), encoding="utf-8")
    common = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    shot = tmp_path / "digest.png"
    subprocess.run([*common, f"--screenshot={shot}", page.as_uri()], capture_output=True,
                   timeout=180, check=True)  # fmt: skip
    assert _png_colours(shot) > 10
    dom = subprocess.run([*common, "--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=180, check=True).stdout  # fmt: skip
    rows = re.findall(r'<tr data-story="(-?\d+)">(.*?)</tr>', dom, flags=re.S)  # ids: BIGINT
    assert len(rows) == 2, dom[-2000:]
    text = " ".join(re.sub(r"<[^>]+>", " ", r[1]) for r in rows)
    assert "OpenAI orders six gigawatts of AMD accelerators" in text
    assert "Anthropic secures a gigawatt of Google TPU capacity" in text
    assert "6.0 GW" in text and "wire-a" in text


def test_backfill_evaluates_watches_too_and_a_down_channel_never_fails_it(prefect_harness, world):
    summary = backfill(since=DAY, until=DAY, sources=str(world["sources"]), db=str(world["db"]))
    assert summary["status"] == "completed" and summary["articles_new"] == 3
    assert len(world["hook"].at("/gw")) == 2, _artifact("watches")
    failed = _rows(world["db"], "SELECT error FROM alerts WHERE watch = 'gw-down'")
    assert len(failed) == 2 and all("Connection refused" in r["error"] for r in failed)


def test_watch_test_shows_what_would_have_fired_and_sends_nothing(prefect_harness, world):
    ingest(sources=str(world["sources"]), db=str(world["db"]))
    hook = world["hook"]
    before = len(hook.received)
    runner = CliRunner()
    args = ["--sources", str(world["sources"]), "--db", str(world["db"])]
    result = runner.invoke(app, ["watch", "test", "gw-hook", *args])
    assert result.exit_code == 0, result.output
    assert "would have fired on 2 stories" in result.output
    assert "OpenAI orders six gigawatts" in result.output and "Oracle" not in result.output
    result = runner.invoke(app, ["watch", "test", "sneaky", *args])
    assert result.exit_code == 2 and "/etc/passwd" in result.output
    result = runner.invoke(app, ["watch", "test", "nope", *args])
    assert result.exit_code == 2 and "no watch named 'nope'" in result.output
    assert len(hook.received) == before
    n = _rows(world["db"], "SELECT count(*) AS n FROM watch_deliveries")[0]["n"]
    result = runner.invoke(app, ["watch", "digest", *args])  # the day is not over: nothing
    assert result.exit_code == 0 and "No digest due." in result.output
    assert _rows(world["db"], "SELECT count(*) AS n FROM watch_deliveries")[0]["n"] == n
