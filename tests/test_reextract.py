"""`gigawatch reextract`: extraction again from the stored bodies, with real trafilatura and
a real option change (GIGAWATCH_EXTRACT_FAVOR_PRECISION), resumable after a SIGKILL."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from gigawatch.extract import EXTRACT_OPTIONS_JSON, EXTRACTOR
from tests.test_crashes import _group, _wait, assert_consistent
from tests.test_incremental import _env, _gigawatch
from warehouse import db as wh
from warehouse.dedupe_store import rebuild as dedupe_rebuild
from warehouse.tags import retag

PRECISE = json.loads(EXTRACT_OPTIONS_JSON) | {"favor_precision": True}
PRECISE_JSON = json.dumps(PRECISE, sort_keys=True, separators=(",", ":"))
DOCS = "SELECT article_id, url, fetch_id, body_sha1, title, author, published_at, language, " \
       "site_name, description, text, fetched_at FROM documents ORDER BY article_id"  # fmt: skip
TAGS = {
    "article_tags": "SELECT * EXCLUDE (tagged_at) FROM article_tags ORDER BY article_id",
    "tag_mentions": "SELECT * FROM tag_mentions ORDER BY ALL",
    "tag_facts": "SELECT * FROM tag_facts ORDER BY ALL",
}
STORIES = "SELECT article_id, story_id, duplicate_of FROM article_dedupe ORDER BY article_id"


@pytest.fixture
def warehouse(ingested, tmp_path: Path) -> Path:
    db = tmp_path / "reextract.duckdb"
    shutil.copy(ingested["db"], db)
    return db


def _rows(db: Path, sql: str) -> list[tuple]:
    con = wh.connect(db, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _versions(db: Path) -> dict[str | None, int]:
    rows = _rows(db, "SELECT extract_options, count(*) FROM documents GROUP BY ALL")
    return dict(rows)  # type: ignore[arg-type]


def _last_summary(db: Path) -> dict[str, Any]:
    rows = _rows(db, "SELECT summary FROM flow_runs WHERE flow = 'reextract' AND status = "
                     "'completed' ORDER BY started_at DESC LIMIT 1")  # fmt: skip
    return json.loads(rows[0][0])


def _precise_env(prefect_harness: None) -> dict[str, str]:
    return {**_env(prefect_harness), "GIGAWATCH_EXTRACT_FAVOR_PRECISION": "1"}


def _run(env: dict[str, str], *args: str) -> str:
    proc = _gigawatch("reextract", *args, env=env)
    out, errors = proc.communicate(timeout=600)
    assert proc.returncode == 0, out + errors
    return out


def test_same_options_change_nothing(prefect_harness, warehouse):
    from flows.maintenance import reextract

    docs, tags, stories = _rows(warehouse, DOCS), _tags(warehouse), _rows(warehouse, STORIES)
    before = _rows(warehouse, "SELECT max(extracted_at) FROM documents")[0][0]
    summary = reextract(db=str(warehouse), batch_size=16)
    total = len(docs)
    assert summary["articles"] == total and summary["failed"] == 0
    assert {k: summary[k] for k in ("changed", "texts_changed", "titles_changed",
                                    "dates_changed", "languages_changed",
                                    "stories_changed")} == dict.fromkeys(
        ("changed", "texts_changed", "titles_changed", "dates_changed", "languages_changed",
         "stories_changed"), 0)  # fmt: skip
    assert _rows(warehouse, DOCS) == docs  # texts, ids, URLs, fetches all identical
    assert _tags(warehouse) == tags and _rows(warehouse, STORIES) == stories
    stamps = _rows(warehouse, "SELECT DISTINCT extractor, extract_options FROM documents")
    assert stamps == [(EXTRACTOR, EXTRACT_OPTIONS_JSON)]
    assert _rows(warehouse, "SELECT min(extracted_at) FROM documents")[0][0] > before
    assert assert_consistent(warehouse) == total
    # nothing outdated: --outdated has nothing to do
    assert reextract(db=str(warehouse), outdated=True)["articles"] == 0


def _tags(db: Path) -> dict[str, list[tuple]]:
    return {name: _rows(db, sql) for name, sql in TAGS.items()}


def _rebuilt_tags_and_stories(db: Path, tmp_path: Path) -> tuple[dict, list[tuple]]:
    """What a full retag and restory of a copy of ``db`` hold."""
    copy = tmp_path / "rebuilt.duckdb"
    shutil.copy(db, copy)
    retag(copy)
    con = wh.connect(copy)
    try:
        con.execute("BEGIN TRANSACTION")
        dedupe_rebuild(con)
        con.execute("COMMIT")
    finally:
        con.close()
    return _tags(copy), _rows(copy, STORIES)


def test_an_option_change_reextracts_exactly_the_outdated_rows(
    prefect_harness, warehouse, tmp_path
):
    docs = {r[0]: r for r in _rows(warehouse, DOCS)}
    out = _run(_precise_env(prefect_harness), "--outdated", "--db", str(warehouse),
               "--batch-size", "10")  # fmt: skip
    summary = _last_summary(warehouse)
    assert f"Re-extracted {len(docs)} articles" in out, out
    assert summary["articles"] == len(docs) and summary["failed"] == 0
    assert summary["extract_options"] == PRECISE_JSON
    assert _versions(warehouse) == {PRECISE_JSON: len(docs)}
    after = {r[0]: r for r in _rows(warehouse, DOCS)}
    assert after.keys() == docs.keys()  # ids stay
    assert all(after[a][1:4] == docs[a][1:4] for a in docs)  # URL, fetch, body stay
    texts = sum(after[a][10] != docs[a][10] for a in docs)
    titles = sum(after[a][4] != docs[a][4] for a in docs)
    changed = sum(after[a][4:11] != docs[a][4:11] for a in docs)
    assert texts > 0, "favor_precision changed no text of the demo site"
    assert (summary["texts_changed"], summary["titles_changed"], summary["changed"]) == (
        texts, titles, changed)  # fmt: skip
    assert f"{changed} changed ({texts} texts" in out
    # the derived tables are what a rebuild from the new texts gives
    tags, stories = _rebuilt_tags_and_stories(warehouse, tmp_path)
    assert _tags(warehouse) == tags
    assert _rows(warehouse, STORIES) == stories
    assert assert_consistent(warehouse) == len(docs)  # and the trend tables equal a rebuild
    # the old rows were exactly those: nothing is outdated any more
    _run(_precise_env(prefect_harness), "--outdated", "--db", str(warehouse))
    assert _last_summary(warehouse)["articles"] == 0


def test_killed_midway_then_resumed(prefect_harness, warehouse, tmp_path):
    total = len(_rows(warehouse, DOCS))
    marker = tmp_path / "paused"
    env = {**_precise_env(prefect_harness), "GIGAWATCH_TEST_PAUSE_AT": "reextract:1",
           "GIGAWATCH_TEST_PAUSE_FILE": str(marker)}  # fmt: skip
    proc = _gigawatch("reextract", "--db", str(warehouse), "--batch-size", "8", env=env,
                      start_new_session=True)  # fmt: skip
    try:
        _wait(marker.exists, proc, "the first batch committed")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert proc.returncode == -signal.SIGKILL
    assert _versions(warehouse).get(PRECISE_JSON) == 8  # the first batch, committed
    assert assert_consistent(warehouse) == total
    # the next run (same command) skips what the killed one did and finishes
    env.pop("GIGAWATCH_TEST_PAUSE_AT")
    _run(env, "--db", str(warehouse), "--batch-size", "8")
    summary = _last_summary(warehouse)
    assert summary["articles"] == total - 8 and summary["failed"] == 0
    assert _versions(warehouse) == {PRECISE_JSON: total}
    assert assert_consistent(warehouse) == total
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        statuses = con.execute("SELECT status FROM flow_runs WHERE flow = 'reextract' "
                               "ORDER BY started_at").fetchall()  # fmt: skip
    finally:
        con.close()
    assert [s for (s,) in statuses] == ["interrupted", "completed"]


def test_since_until_and_source_pick_their_articles(prefect_harness, warehouse):
    from flows.maintenance import reextract

    source, first = _rows(warehouse, "SELECT source, min(published_at) FROM documents "
                                     "GROUP BY source ORDER BY source LIMIT 1")[0]  # fmt: skip
    day = first.astimezone(UTC).date()
    until = day + timedelta(days=7)
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    con = wh.connect(warehouse, read_only=True)
    try:
        expected = con.execute(
            "SELECT count(*) FROM documents WHERE source = $s AND published_at >= $a "
            "AND published_at < $b",
            {"s": source, "a": start, "b": start + timedelta(days=8)},
        ).fetchone()[0]
        total = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        con.close()
    assert 0 < expected < total
    summary = reextract(db=str(warehouse), since=day, until=until, sources=[source])
    assert summary["articles"] == expected and summary["changed"] == 0
