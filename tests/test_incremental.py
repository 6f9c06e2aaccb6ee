"""Incremental runs, backfills, interrupted runs and concurrent writers, on a changing site.

Real Prefect flow runs, a real Scrapy crawl and a real DuckDB file; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.backfill import backfill
from flows.ingest import ingest
from tests.sitekit import FixtureSite
from warehouse import db as wh
from warehouse import schema


def _count(db: Path, sql: str = "SELECT count(*) FROM documents") -> int:
    con = wh.connect(db, read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def _site(n: int = 6) -> FixtureSite:
    site = FixtureSite().__enter__()
    for i in range(n):
        site.add_article(f"story-{i}", date(2025, 10, 1 + i), i)
    site.publish_feed()
    return site


@pytest.fixture
def site():
    s = _site()
    yield s
    s.__exit__()


def test_second_run_fetches_no_article_page_and_adds_no_row(prefect_harness, site, tmp_path):
    sources = tmp_path / "s.toml"
    sources.write_text(site.sources(), encoding="utf-8")
    db = tmp_path / "w.duckdb"
    first = ingest(sources=str(sources), db=str(db))
    assert first["status"] == "completed"
    assert first["articles_new"] == 6
    site.log.clear()
    second = ingest(sources=str(sources), db=str(db))
    assert site.requested("/news/") == []  # no article page fetched again
    assert second["nothing_new"] and second["articles_new"] == 0
    row = second["sources"][0]
    assert row["not_modified"] == 2  # the feed and the sitemap answered 304
    assert _count(db) == 6
    assert _count(db, "SELECT count(*) FROM bodies") == 6


def test_only_the_new_article_is_fetched_and_refresh_updates_changed_pages(
    prefect_harness, site, tmp_path
):
    sources = tmp_path / "s.toml"
    sources.write_text(site.sources(), encoding="utf-8")
    db = tmp_path / "w.duckdb"
    ingest(sources=str(sources), db=str(db))
    new = site.add_article("late-news", date(2025, 10, 20), 2)
    site.publish_feed()
    site.log.clear()
    summary = ingest(sources=str(sources), db=str(db))
    assert site.requested("/news/") == [new]
    assert summary["articles_new"] == 1
    assert summary["sources"][0]["skipped_known"] == 6
    changed = site.articles()[0]
    site.add_article("story-0", date(2025, 10, 1), 0, extra="Correction: the date was moved.")
    summary = ingest(sources=str(sources), db=str(db), refresh=True)
    assert summary["articles_new"] == 1  # only the changed page counts as updated
    text = (
        duckdb.connect(str(db), read_only=True)
        .execute("SELECT text FROM documents WHERE url LIKE ?", [f"%{changed}"])
        .fetchone()[0]
    )
    assert "Correction: the date was moved." in text


def test_backfill_window_from_sitemaps_feeds_archives_and_cdx(prefect_harness, tmp_path):
    with FixtureSite() as site:
        for i in range(10):
            site.add_article(f"sep-{i}", date(2025, 9, 20 + i), i)
            site.add_article(f"oct-{i}", date(2025, 10, 1 + i), i + 1)
        site.publish_feed()
        db = tmp_path / "w.duckdb"
        variants = {
            "feeds": site.sources(name="viafeed", sitemaps=False),
            "sitemaps": site.sources(name="viasitemap", feeds=False),
            "archives": site.sources(name="viaarchive", feeds=False, sitemaps=False, archives=True),
        }
        for kind, text in variants.items():
            sources = tmp_path / f"{kind}.toml"
            sources.write_text(text, encoding="utf-8")
            kind_db = tmp_path / f"{kind}.duckdb"
            site.log.clear()
            summary = backfill(since=date(2025, 10, 3), until=date(2025, 10, 6),
                               sources=str(sources), db=str(kind_db))  # fmt: skip
            stored = (
                duckdb.connect(str(kind_db), read_only=True)
                .execute(
                    "SELECT min(published_at)::DATE, max(published_at)::DATE, count(*) "
                    "FROM documents"
                )
                .fetchone()
            )
            assert stored == (date(2025, 10, 3), date(2025, 10, 6), 4), kind
            assert summary["articles_new"] == 4
            # window filtering happens before fetching: out-of-window pages are not requested
            assert all("/2025/09/" not in p for p in site.requested("/news/")), kind
        # the CDX source: captures are listed for the window and fetched from the archive
        site.captures = [(f"202510{d:02d}120000", f"{site.base}/news/2025/10/{d:02d}/oct-{d - 1}")
                         for d in range(1, 11)]  # fmt: skip
        sources = tmp_path / "cdx.toml"
        sources.write_text(
            site.sources(name="viacdx", feeds=False, sitemaps=False, cdx=True), encoding="utf-8"
        )
        site.log.clear()
        summary = backfill(since=date(2025, 10, 3), until=date(2025, 10, 6),
                           sources=str(sources), db=str(db))  # fmt: skip
        assert summary["articles_new"] == 4
        assert len(site.requested("/web/")) == 4
        urls = [r[0] for r in duckdb.connect(str(db), read_only=True).execute(
            "SELECT url FROM documents ORDER BY url").fetchall()]  # fmt: skip
        assert all(u.startswith(f"{site.base}/news/2025/10/") for u in urls)  # original URLs
        # the same window again adds no row; an overlapping ingest adds no duplicate
        again = backfill(since=date(2025, 10, 3), until=date(2025, 10, 6),
                         sources=str(sources), db=str(db))  # fmt: skip
        assert again["articles_new"] == 0 and _count(db) == 4
        both = tmp_path / "both.toml"
        both.write_text(site.sources(name="viacdx"), encoding="utf-8")
        summary = ingest(sources=str(both), db=str(db))
        assert _count(db) == 20
        assert _count(db, "SELECT count(DISTINCT url) FROM documents") == 20
        assert summary["sources"][0]["skipped_known"] == 4


def _env(prefect_harness: None) -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    return env


def _gigawatch(*args: str, env: dict[str, str], **popen: Any) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gigawatch.cli", *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen,
    )  # fmt: skip


def _when_stored(db: Path, proc: subprocess.Popen, at_least: int, then: Callable[[], None]) -> None:
    """Poll the warehouse read-only until ``at_least`` documents are stored, then call
    ``then()`` while still holding the read connection (the writer stays out of the file
    meanwhile). Returns without calling it if ``proc`` ends first or after 120 s."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            con = duckdb.connect(str(db), read_only=True)
        except duckdb.Error:
            time.sleep(0.02)
            continue
        try:
            try:
                stored = con.execute("SELECT count(*) FROM documents").fetchone()[0]
            except duckdb.Error:
                stored = 0
            if stored >= at_least:
                then()
                return
        finally:
            con.close()
        time.sleep(0.02)


def test_killed_run_leaves_a_consistent_db_and_the_next_run_picks_up(prefect_harness, tmp_path):
    with FixtureSite(article_delay=0.05) as site:
        for i in range(30):
            site.add_article(f"k-{i}", date(2025, 10, 1 + i % 28), i)
        site.publish_feed()
        sources = tmp_path / "s.toml"
        sources.write_text(site.sources(), encoding="utf-8")
        db = tmp_path / "w.duckdb"
        env = _env(prefect_harness)
        proc = _gigawatch("run", "--sources", str(sources), "--db", str(db),
                          "--batch-size", "2", env=env)  # fmt: skip

        # Wait until some batches are in, then kill the writer without warning. Holding a
        # read connection keeps the writer out of the file, so the kill lands mid-run.
        def kill() -> None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()

        _when_stored(db, proc, 4, kill)
        assert proc.returncode == -signal.SIGKILL, proc.communicate()
        assert 4 <= _count(db) < 30
        # consistent: every stored document has its fetch record and its raw body
        orphans = _count(db, "SELECT count(*) FROM documents d WHERE NOT EXISTS "
                             "(SELECT 1 FROM bodies b WHERE b.sha1 = d.body_sha1) OR NOT EXISTS "
                             "(SELECT 1 FROM fetches f WHERE f.fetch_id = d.fetch_id)")  # fmt: skip
        assert orphans == 0
        done = _gigawatch("run", "--sources", str(sources), "--db", str(db), env=env)
        out, errs = done.communicate(timeout=300)
        assert done.returncode == 0, out + errs
        assert _count(db) == 30
        assert _count(db, "SELECT count(*) FROM flow_runs WHERE status = 'interrupted'") == 1


def test_batches_are_stored_while_the_crawl_goes_on(prefect_harness, tmp_path):
    with FixtureSite(article_delay=0.5) as site:
        n = 24  # at 4 requests at a time, about 3 s of crawling
        for i in range(n):
            site.add_article(f"s-{i}", date(2025, 10, 1 + i % 28), i)
        site.publish_feed()
        sources = tmp_path / "s.toml"
        sources.write_text(site.sources(), encoding="utf-8")
        db = tmp_path / "w.duckdb"
        proc = _gigawatch("run", "--sources", str(sources), "--db", str(db),
                          "--batch-size", "2", env=_env(prefect_harness))  # fmt: skip
        requested: list[int] = []
        _when_stored(db, proc, 2, lambda: requested.append(len(site.requested("/news/"))))
        out, errs = proc.communicate(timeout=300)
        assert proc.returncode == 0, out + errs
        # the first articles were in the warehouse while most pages were still to be fetched
        assert requested and requested[0] < n, requested
        assert _count(db) == n


def test_two_writers_one_waits_then_gives_up_and_readers_get_in(prefect_harness, tmp_path):
    with FixtureSite(article_delay=0.3) as site:
        for i in range(20):
            site.add_article(f"w-{i}", date(2025, 10, 1 + i), i)
        site.publish_feed()
        sources = tmp_path / "s.toml"
        sources.write_text(site.sources(), encoding="utf-8")
        db = tmp_path / "w.duckdb"
        schema.ensure_schema(db)
        env = _env(prefect_harness)
        first = _gigawatch("run", "--sources", str(sources), "--db", str(db), env=env)
        deadline = time.monotonic() + 60
        while not site.requested("/news/") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert site.requested("/news/"), "first writer never started crawling"
        second = _gigawatch("run", "--sources", str(sources), "--db", str(db),
                            "--lock-timeout", "2", env=env)  # fmt: skip
        out, errs = second.communicate(timeout=120)
        assert second.returncode == 1
        assert "another gigawatch run is writing" in errs and "waited 2 s" in errs
        # a reader gets in while the first writer is crawling
        reader = subprocess.run(
            [sys.executable, "-m", "gigawatch.cli", "query", "--db", str(db),
             "SELECT count(*) AS n FROM articles", "--format", "csv"],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert reader.returncode == 0, reader.stderr
        out, errs = first.communicate(timeout=300)
        assert first.returncode == 0, out + errs
        assert _count(db) == 20
