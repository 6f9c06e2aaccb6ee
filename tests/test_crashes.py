"""Crashes: a real ``gigawatch run`` killed with SIGKILL while it crawls, while it extracts a
batch and while it writes one; a warehouse on a full or read-only filesystem; a source that
fails in every run. Each time the DuckDB file must open, show no half batch, and the next run
must end with every article stored exactly once.

Kill points: the crawl is hit by timing (slow article pages, nothing stored before the crawl
ends); extraction and load through the test hook ``GIGAWATCH_TEST_PAUSE_AT`` of
flows/pipeline.py, which makes the run write a marker file and sleep at exactly that point.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.sitekit import FixtureSite
from tests.test_incremental import _count, _env, _gigawatch
from tests.test_trend_store import rebuilt, snapshot
from warehouse import db as wh

N = 16  # articles on the fixture site

# Relationships between tables, as a count of the rows that break each one; all must be 0.
VIOLATIONS = {
    "document without its fetch": "SELECT count(*) FROM documents d WHERE NOT EXISTS "
    "(SELECT 1 FROM fetches f WHERE f.fetch_id = d.fetch_id)",
    "document without its raw body": "SELECT count(*) FROM documents d WHERE NOT EXISTS "
    "(SELECT 1 FROM bodies b WHERE b.sha1 = d.body_sha1)",
    "document whose fetch is not 'stored'": "SELECT count(*) FROM documents d "
    "JOIN fetches f USING (fetch_id) WHERE f.outcome NOT IN ('stored', 'updated')",
    "'stored' fetch without its document": "SELECT count(*) FROM fetches f "
    "WHERE f.outcome = 'stored' AND NOT EXISTS "
    "(SELECT 1 FROM documents d WHERE d.fetch_id = f.fetch_id)",
    "fetch naming a body that is missing": "SELECT count(*) FROM fetches f "
    "WHERE f.body_sha1 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM bodies b WHERE b.sha1 = "
    "f.body_sha1)",
    "document not tagged": "SELECT count(*) FROM documents d WHERE NOT EXISTS "
    "(SELECT 1 FROM article_tags t WHERE t.article_id = d.article_id)",
    "tags of no document": "SELECT (SELECT count(*) FROM article_tags t WHERE t.article_id "
    "NOT IN (SELECT article_id FROM documents)) + (SELECT count(*) FROM tag_mentions m WHERE "
    "m.article_id NOT IN (SELECT article_id FROM article_tags)) + (SELECT count(*) FROM "
    "tag_facts f WHERE f.article_id NOT IN (SELECT article_id FROM article_tags))",
    "document without a dedupe verdict": "SELECT count(*) FROM documents d WHERE NOT EXISTS "
    "(SELECT 1 FROM article_dedupe a WHERE a.article_id = d.article_id)",
    "dedupe rows of no document": "SELECT (SELECT count(*) FROM article_dedupe WHERE "
    "article_id NOT IN (SELECT article_id FROM documents)) + (SELECT count(*) FROM "
    "doc_signatures WHERE article_id NOT IN (SELECT article_id FROM documents)) + "
    "(SELECT count(*) FROM article_dedupe WHERE story_id NOT IN (SELECT article_id FROM "
    "documents)) + (SELECT count(*) FROM article_dedupe WHERE duplicate_of NOT IN "
    "(SELECT article_id FROM documents))",
    "relevant original without its trend row": "SELECT count(*) FROM documents d "
    "JOIN article_tags t USING (article_id) JOIN article_dedupe a USING (article_id) "
    "WHERE t.relevant AND a.duplicate_of IS NULL AND NOT EXISTS "
    "(SELECT 1 FROM trend_docs r WHERE r.article_id = d.article_id)",
    "trend row of no document": "SELECT count(*) FROM trend_docs t WHERE t.article_id NOT IN "
    "(SELECT article_id FROM documents)",
    "article stored twice": "SELECT (SELECT count(*) - count(DISTINCT article_id) FROM "
    "documents) + (SELECT count(*) - count(DISTINCT url) FROM documents) + (SELECT count(*) "
    "- count(DISTINCT article_id) FROM article_tags) + (SELECT count(*) - count(DISTINCT "
    "article_id) FROM article_dedupe) + (SELECT count(*) - count(DISTINCT article_id) FROM "
    "doc_signatures) + (SELECT count(*) - count(DISTINCT article_id) FROM trend_docs)",
}


def assert_consistent(db: Path) -> int:
    """Open ``db`` (read-write, as the next writer would: a WAL left behind is replayed), check
    every relationship above and that the trend tables equal a rebuild; returns the number of
    stored documents."""
    con = wh.connect(db, lock_timeout=10)
    try:
        broken = {name: con.execute(sql).fetchone()[0] for name, sql in VIOLATIONS.items()}
        assert broken == dict.fromkeys(VIOLATIONS, 0), broken
        assert snapshot(con) == rebuilt(con)  # trend tables hold what a rebuild gives
        return con.execute("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def site() -> Iterator[FixtureSite]:
    with FixtureSite(article_delay=0.2) as s:
        for i in range(N):
            s.add_article(f"c-{i}", date(2025, 10, 1 + i % 28), i)
        s.publish_feed()
        yield s


@pytest.fixture
def sources(site: FixtureSite, tmp_path: Path) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(site.sources(), encoding="utf-8")
    return path


def _start(sources: Path, db: Path, env: dict[str, str], *args: str) -> subprocess.Popen:
    """``gigawatch run`` in its own process group, so that what a killed run leaves running
    (its crawl child, extraction workers) can be found and ended afterwards."""
    return _gigawatch("run", "--sources", str(sources), "--db", str(db), *args, env=env,
                      start_new_session=True)  # fmt: skip


def _wait(until: Callable[[], bool], proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 120
    while not until():
        assert proc.poll() is None, (what, proc.communicate())
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _kill(proc: subprocess.Popen) -> None:
    """SIGKILL the run itself, as the OOM killer or a power cut would, then end what it left
    behind in its process group (an orphaned crawl child keeps fetching otherwise)."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def _next_run_completes(sources: Path, db: Path, env: dict[str, str], site: FixtureSite) -> None:
    """The next run exits 0, marks the killed run interrupted, and every article of the site
    is stored exactly once, consistently."""
    proc = _start(sources, db, env)
    out, errs = proc.communicate(timeout=300)
    assert proc.returncode == 0, out + errs
    assert assert_consistent(db) == N
    urls = {r[0] for r in duckdb.connect(str(db), read_only=True)
            .execute("SELECT url FROM documents").fetchall()}  # fmt: skip
    assert urls == {f"{site.base}{p}" for p in site.articles()}
    assert _count(db, "SELECT count(*) FROM flow_runs WHERE status = 'interrupted'") == 1
    assert _count(db, "SELECT count(*) FROM flow_runs WHERE status = 'completed'") == 1


def test_killed_while_crawling(prefect_harness, site, sources, tmp_path):
    """Nothing is stored before the crawl ends (one batch of 100): a kill mid-crawl leaves the
    run record alone, and the next run fetches everything again."""
    db = tmp_path / "w.duckdb"
    env = _env(prefect_harness)
    proc = _start(sources, db, env)
    _wait(lambda: len(site.requested("/news/")) >= 4, proc, "article requests")
    _kill(proc)
    assert len(site.requested("/news/")) < N  # it really was crawling
    assert assert_consistent(db) == 0
    assert _count(db, "SELECT count(*) FROM flow_runs WHERE status = 'running'") == 1
    _next_run_completes(sources, db, env, site)


def _killed_at(stage: str, site: FixtureSite, sources: Path, tmp_path: Path, env) -> Path:
    """Run with batches of 4 pages and kill the run when it pauses at ``stage`` in the second
    batch (the first one is committed by then)."""
    db = tmp_path / "w.duckdb"
    marker = tmp_path / "paused"
    env = {**env, "GIGAWATCH_TEST_PAUSE_AT": f"{stage}:2", "GIGAWATCH_TEST_PAUSE_FILE": str(marker)}
    proc = _start(sources, db, env, "--batch-size", "4")
    _wait(marker.exists, proc, f"the pause at {stage}")
    _kill(proc)
    return db


def test_killed_while_extracting_a_batch(prefect_harness, site, sources, tmp_path):
    env = _env(prefect_harness)
    db = _killed_at("extract", site, sources, tmp_path, env)
    stored = assert_consistent(db)
    assert 0 < stored < N
    assert _count(db, "SELECT count(*) FROM fetches") == 4  # the first batch's pages, only
    _next_run_completes(sources, db, env, site)


def test_killed_while_writing_a_batch(prefect_harness, site, sources, tmp_path):
    """Killed inside the second batch's transaction, after every row of it was written and
    before COMMIT: none of that batch is visible, the first batch is whole."""
    env = _env(prefect_harness)
    db = _killed_at("load", site, sources, tmp_path, env)
    stored = assert_consistent(db)
    assert 0 < stored < N
    assert _count(db, "SELECT count(*) FROM fetches") == 4  # the first batch's pages, only
    _next_run_completes(sources, db, env, site)
