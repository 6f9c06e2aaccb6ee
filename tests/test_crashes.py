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
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from flows.ingest import ingest
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


def _group(pgid: int) -> list[str]:
    """Command lines of the live (not zombie) processes of process group ``pgid``."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                alive.append((stat.parent / "cmdline").read_text().replace("\0", " "))
        except (OSError, IndexError, ValueError):
            continue
    return alive


def _kill(proc: subprocess.Popen) -> None:
    """SIGKILL the run itself, as the OOM killer or a power cut would, then end anything left
    in its process group (a safety net: the tests check that nothing is left)."""
    if proc.poll() is None:
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
    # the killed run's spool and known-URL list are gone, its crawl log is kept
    runs = db.parent / "runs"
    assert not list(runs.glob("*/pages.jsonl")) and not list(runs.glob("*/known_urls.txt"))
    assert list(runs.glob("*/crawl.log"))


def test_killed_while_crawling(prefect_harness, site, sources, tmp_path):
    """Nothing is stored before the crawl ends (one batch of 100): a kill mid-crawl leaves the
    run record alone, and the next run fetches everything again."""
    db = tmp_path / "w.duckdb"
    env = _env(prefect_harness)
    proc = _start(sources, db, env)
    _wait(lambda: len(site.requested("/news/")) >= 4, proc, "article requests")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # The crawler child dies with the run instead of crawling on for nobody (nothing is
    # extracted yet, so there are no extraction workers): in 1.5 s an orphan would fetch
    # every page left (4 at a time, 0.2 s each).
    time.sleep(1.5)
    left, fetched = _group(proc.pid), len(site.requested("/news/"))
    _kill(proc)
    assert not left, left
    assert fetched < N, "the crawl went on after the run was killed"
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
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # nothing the run started outlives it: the crawler dies at once, extraction workers
    # (and multiprocessing's resource tracker) within a second or two
    deadline = time.monotonic() + 10
    while _group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = _group(proc.pid)
    _kill(proc)
    assert not left, left
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


# --------------------------------------------------------------------------- full or read-only


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 64 MiB tmpfs of its own (root only; skipped where mounting is not permitted)."""
    mnt = tmp_path / "fs"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a size-limited filesystem needs root and mount(8)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mnt)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(mnt)], capture_output=True, check=False)
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True, check=False)


def _fill(folder: Path) -> Path:
    """Write a file until the filesystem is full."""
    filler = folder / "filler"
    chunk = b"\0" * (1 << 20)
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(chunk)
        except OSError as exc:
            assert "No space left" in str(exc)
    with open(filler, "ab", buffering=0) as fh:  # the last partial MiB
        try:
            while True:
                fh.write(b"\0" * 4096)
        except OSError:
            pass
    return filler


def _first_run_then_more_articles(site, sources, db, env) -> None:
    proc = _start(sources, db, env)
    out, errs = proc.communicate(timeout=300)
    assert proc.returncode == 0, out + errs
    assert assert_consistent(db) == N
    for i in range(N, N + 4):
        site.add_article(f"c-{i}", date(2025, 11, 1 + i % 28), i)
    site.publish_feed()


def _refused(proc: subprocess.Popen, db: Path, reason: str, articles: int = N) -> None:
    """The run exits 1 with one clear line naming the database and the reason, and the file
    still opens read-only with every earlier article."""
    out, errs = proc.communicate(timeout=300)
    assert proc.returncode == 1, out + errs
    assert f"cannot write the warehouse {db}: {reason}" in " ".join(errs.split()), errs
    con = wh.connect(db, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == articles
    finally:
        con.close()


def _room_again(proc: subprocess.Popen, db: Path, articles: int = N + 4) -> None:
    out, errs = proc.communicate(timeout=300)
    assert proc.returncode == 0, out + errs
    assert assert_consistent(db) == articles


def test_a_full_filesystem_fails_clearly_and_corrupts_nothing(
    prefect_harness, site, sources, small_fs
):
    db = small_fs / "w.duckdb"
    env = _env(prefect_harness)
    _first_run_then_more_articles(site, sources, db, env)
    filler = _fill(small_fs)
    _refused(_start(sources, db, env), db, "No space left on device")
    filler.unlink()
    _room_again(_start(sources, db, env), db)


def test_the_filesystem_fills_up_while_a_batch_is_written(
    prefect_harness, site, sources, small_fs, tmp_path
):
    """The second batch is written, its transaction open, when the disk fills up: its commit
    fails, the run ends with the clear error, and only the first batch is in the file."""
    db = small_fs / "w.duckdb"
    marker = tmp_path / "paused"
    env = {**_env(prefect_harness), "GIGAWATCH_TEST_PAUSE_AT": "load:2",
           "GIGAWATCH_TEST_PAUSE_FILE": str(marker)}  # fmt: skip
    proc = _start(sources, db, env, "--batch-size", "4")
    _wait(marker.exists, proc, "the pause in the second batch's transaction")
    filler = _fill(small_fs)
    marker.unlink()  # go on: COMMIT now needs room for the WAL
    con = None
    try:
        out, errs = proc.communicate(timeout=300)
        assert proc.returncode == 1, out + errs
        assert f"cannot write the warehouse {db}: No space left on device" in " ".join(
            errs.split()
        ), errs
        con = wh.connect(db, read_only=True)
        first = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        assert 0 < first < N
        assert con.execute("SELECT count(*) FROM fetches").fetchone()[0] == 4
    finally:
        if con is not None:
            con.close()
        filler.unlink()
    assert assert_consistent(db) == first
    env.pop("GIGAWATCH_TEST_PAUSE_AT")
    _room_again(_start(sources, db, env), db, N)


def test_a_read_only_filesystem_fails_clearly_and_corrupts_nothing(
    prefect_harness, site, sources, small_fs
):
    db = small_fs / "w.duckdb"
    env = _env(prefect_harness)
    _first_run_then_more_articles(site, sources, db, env)
    subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], check=True)
    _refused(_start(sources, db, env), db, "Read-only file system")
    subprocess.run(["mount", "-o", "remount,rw", str(small_fs)], check=True)
    _room_again(_start(sources, db, env), db)


# --------------------------------------------------------------------------- a dead source


def test_a_source_dead_in_every_run_shows_in_source_health_and_stops_nothing(
    prefect_harness, demo_site, site, tmp_path
):
    """A feed on a closed port of 127.0.0.1, next to a live source, over three runs: each run
    is partial, stores what the live source published since, and ``source_health`` calls the
    dead one dead with one more error each time."""
    dead = demo_site.dead_url()  # bound, never listening: connections are refused
    sources = tmp_path / "s.toml"
    sources.write_text(site.sources() + f'\n[[source]]\nname = "deadwire"\n'
                       f'feeds = ["{dead}/feed.xml"]\n', encoding="utf-8")  # fmt: skip
    db = tmp_path / "w.duckdb"
    health = "SELECT source, status, last_success, errors_7d, last_error, articles FROM "
    for run in range(3):
        summary = ingest(sources=str(sources), db=str(db))
        assert summary["status"] == "partial"
        counts = {r["source"]: r for r in summary["sources"]}
        assert counts["deadwire"]["errors"] >= 1 and counts["deadwire"]["articles_new"] == 0
        assert counts["testwire"]["errors"] == 0
        assert counts["testwire"]["articles_new"] == (N if run == 0 else 1)
        assert assert_consistent(db) == N + run
        con = wh.connect(db, read_only=True)
        try:
            rows = con.execute(health + "source_health ORDER BY source").fetchall()
        finally:
            con.close()
        (d_name, d_status, d_success, d_errors, d_error, d_articles), live = rows
        assert (d_name, d_status, d_success, d_articles) == ("deadwire", "dead", None, 0)
        assert d_errors == counts["deadwire"]["errors"] * (run + 1)
        assert dead.split("://")[1] in d_error or "refused" in d_error.lower(), d_error
        assert live[0] == "testwire" and live[1] == "ok" and live[5] == N + run
        site.add_article(f"c-{N + run}", date(2025, 10, 28), run)  # one more for the next run
        site.publish_feed()
