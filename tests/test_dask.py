"""The ingest flow on Dask (issue 16): a LocalCluster of two worker processes, and crawl shards.

Real runs against the demo site on 127.0.0.1: the warehouse a run on ``--dask local:2`` (with
small batches, so that several are extracted on different workers at once) or with several
crawl shards writes is compared row for row with the one the local runner wrote (the session's
``ingested`` fixture), run ids and times left out. Then the refusals: a bad ``--dask`` spec,
and a scheduler address where nothing listens.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows import runner as runner_module
from flows.ingest import ingest
from flows.runner import RunnerError, open_runner, parse_spec, release_worker_slot, worker_slots
from flows.shards import AttemptCounter, FileFlag, Shard, assign
from tests.sitekit import FixtureSite
from tests.test_crashes import (
    N,
    _group,
    _kill,
    _next_run_completes,
    _start,
    _wait,
    assert_consistent,
)
from tests.test_incremental import _count, _env, _gigawatch
from tests.test_ingest_equivalence import TABLES
from warehouse import db as wh

# What a run stores, without what names the run or the time it ran. ``story_score`` (the
# evidence that joined an article to its story, NULL for the one that began it) depends on
# which article of a story was folded first: the order the crawl's concurrent fetches came
# back in, which differs between two runs of the local runner too. Every other column of
# ``article_dedupe`` (duplicates, stories) must be equal, and each story must have been
# begun by one of its originals.
STORED = {
    **{t: f"SELECT {cols} FROM {t} ORDER BY {order}" for t, (cols, order) in TABLES.items()},
    "article_dedupe": "SELECT * EXCLUDE (story_score) FROM article_dedupe ORDER BY article_id",
    "story_begun_by": "SELECT story_id, count(*) FILTER (WHERE story_score IS NULL), count(*) "
    "FROM article_dedupe WHERE duplicate_of IS NULL GROUP BY story_id ORDER BY story_id",
    "documents": "SELECT * EXCLUDE (fetch_id, fetched_at, extracted_at) FROM documents "
    "ORDER BY article_id",
    # which of two URLs of one article (with and without tracking parameters) is fetched
    # depends on the order the feed and the sitemap are read: the counts must be equal
    "fetches": "SELECT source, kind, status, outcome, count(*), count(DISTINCT body_sha1) "
    "FROM fetches GROUP BY ALL ORDER BY ALL",
    "bodies": "SELECT sha1, size FROM bodies ORDER BY sha1",
    "stories": "SELECT * FROM stories ORDER BY story_id",
}


def stored(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = wh.connect(db, read_only=True)
    try:
        return {name: con.execute(sql).fetchall() for name, sql in STORED.items()}
    finally:
        con.close()


def counts(summary: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {r["source"]: {k: v for k, v in r.items() if k != "source"} for r in summary["sources"]}


def test_a_local_cluster_of_two_workers_stores_what_the_local_runner_stores(
    ingested, demo_sources, tmp_path
):
    db = tmp_path / "dask.duckdb"
    summary = ingest(sources=str(demo_sources), db=str(db), dask="local:2", batch_size=8)
    assert summary["shards"] == 2  # one crawl child per worker by default
    assert summary["status"] == ingested["summary"]["status"] == "partial"  # the dead source
    assert counts(summary) == counts(ingested["summary"])
    mine, theirs = stored(db), stored(ingested["db"])
    assert len(mine["documents"]) > 40 and mine["article_dedupe"] and mine["stories"]
    assert any(row[1] is not None for row in mine["article_dedupe"])  # a duplicate found
    assert all(began == 1 for _, began, _ in mine["story_begun_by"])
    assert any(n > 2 for _, _, n in mine["story_begun_by"])  # a story of several articles
    for table in STORED:
        assert mine[table] == theirs[table], table
    # six batches or more went through the workers, each stored in its own transaction
    assert summary["articles_new"] == len(mine["documents"])
    assert _count(db, "SELECT count(*) FROM flow_runs WHERE status = 'partial'") == 1


def test_shards_store_what_one_crawl_stores(ingested, demo_sources, tmp_path):
    db = tmp_path / "shards.duckdb"
    summary = ingest(sources=str(demo_sources), db=str(db), shards=3)
    assert summary["shards"] == 3
    assert counts(summary) == counts(ingested["summary"])  # each source counted by its shard
    assert sum(r["pages_fetched"] for r in summary["sources"]) == sum(
        r["pages_fetched"] for r in ingested["summary"]["sources"]
    )
    assert stored(db) == stored(ingested["db"])
    folder = db.parent / "runs" / summary["run_id"]
    logs = sorted(p.parent.name for p in folder.glob("shard-*/crawl.log"))
    assert logs == ["shard-0", "shard-1", "shard-2"]
    assert not list(folder.rglob("pages.jsonl"))  # spools go once the run is over


def test_shards_are_sorted_names_dealt_round_robin():
    names = ["e", "b", "a", "d", "c"]
    assert assign(names, 2) == [["a", "c", "e"], ["b", "d"]]
    assert assign(names, 2) == assign(list(reversed(names)), 2)
    assert assign(names, 9) == [["a"], ["b"], ["c"], ["d"], ["e"]]  # never more than sources
    assert assign(names, 1) == [sorted(names)]
    assert assign([], 3) == [[]]


def test_a_retried_crawl_is_read_again_from_the_top_of_its_spool(tmp_path):
    shard = Shard(0, ["a"], tmp_path / "shard-0")
    line = '{"run_id": "r", "kind": "article", "url": "https://a.test/%d"}\n'
    shard.attempts(shard.spool)  # attempt 1 starts
    shard.spool.write_text(line % 1 + line % 2 + '{"run_id": "r", "ki', encoding="utf-8")
    assert [i["url"] for i in shard.read()] == ["https://a.test/1", "https://a.test/2"]
    shard.spool.unlink()  # attempt 2 (in any process) counts itself, then writes anew
    AttemptCounter(shard.attempts.path)(shard.spool)
    shard.spool.write_text(line % 1, encoding="utf-8")
    assert [i["url"] for i in shard.read()] == ["https://a.test/1"]
    assert shard.attempts.read() == 2
    shard.cleanup()
    assert not shard.spool.exists() and not shard.attempts.path.exists()


@pytest.mark.parametrize("spec", ["local:0", "local:two", "localhost:8786", "http://h:8786", "x"])
def test_a_bad_dask_spec_is_refused_with_a_clear_error(spec, tmp_path):
    with pytest.raises(RunnerError, match="--dask must be local:N or a scheduler address"):
        parse_spec(spec)
    assert parse_spec("local:3").local_workers == 3
    assert parse_spec("tcp://10.0.0.5:8786").address == "tcp://10.0.0.5:8786"
    assert not parse_spec(None).distributed and not parse_spec("").distributed


def test_the_cli_refuses_a_bad_dask_spec_before_any_work(prefect_harness, demo_sources, tmp_path):
    db = tmp_path / "w.duckdb"
    env = _env(prefect_harness)
    for command in (["run"], ["backfill", "--since", "2025-10-01", "--until", "2025-10-02"]):
        proc = _gigawatch(*command, "--sources", str(demo_sources), "--db", str(db),
                          "--dask", "local:0", env=env)  # fmt: skip
        out, errs = proc.communicate(timeout=120)
        assert proc.returncode == 2, out + errs
        assert "--dask must be local:N or a scheduler address like tcp://host:8786" in errs
    proc = _gigawatch("run", "--sources", str(demo_sources), "--db", str(db), "--shards", "0",
                      env=env)  # fmt: skip
    out, errs = proc.communicate(timeout=120)
    assert proc.returncode == 2, out + errs
    assert not db.exists() and not (tmp_path / "runs").exists()


def test_a_dead_scheduler_fails_clearly_and_writes_nothing(
    ingested, demo_sources, demo_site, tmp_path, monkeypatch
):
    """A scheduler address where nothing listens: the run fails with the address in its
    error before it is recorded; the warehouse is as it was, no run folder is made."""
    db = tmp_path / "copy.duckdb"
    shutil.copy(ingested["db"], db)
    before = stored(db), _count(db, "SELECT count(*) FROM flow_runs")
    monkeypatch.setattr(runner_module, "CONNECT_TIMEOUT", 2.0)
    address = "tcp://" + demo_site.dead_url().split("://", 1)[1]  # bound, never listening
    with pytest.raises(RunnerError, match=f"cannot reach the Dask scheduler at {address}"):
        ingest(sources=str(demo_sources), db=str(db), dask=address)
    assert (stored(db), _count(db, "SELECT count(*) FROM flow_runs")) == before
    assert not (tmp_path / "runs").exists()


@task(cache_policy=NO_CACHE)
def _wait_for(flag: FileFlag, seconds: float) -> bool:
    """A long task that mostly waits, as a crawl shard does."""
    release_worker_slot()
    deadline = time.monotonic() + seconds
    while not flag.is_set() and time.monotonic() < deadline:
        time.sleep(0.05)
    return flag.is_set()


@task(cache_policy=NO_CACHE)
def _set(flag: FileFlag) -> int:
    flag.set()
    return os.getpid()


def test_a_crawl_shard_leaves_its_worker_free_for_batches(prefect_harness, tmp_path):
    """On a cluster of one one-thread worker, a task that waits (as a shard's crawl does)
    after release_worker_slot() lets the next task run on that worker meanwhile."""
    flag = FileFlag(tmp_path / "flag")

    @flow
    def both() -> tuple[bool, int, int]:
        with open_runner("local:1") as runner:
            assert worker_slots(runner) == 1
            waiting = runner.submit(_wait_for, parameters={"flag": flag, "seconds": 30.0})
            setter = runner.submit(_set, parameters={"flag": flag})
            return waiting.result(), setter.result(), os.getpid()

    started = time.monotonic()
    waited, worker, here = both()
    assert waited and worker != here  # the second task ran on the worker, during the first
    assert time.monotonic() - started < 30


@task(cache_policy=NO_CACHE)
def _api_tls() -> tuple[bool, bool, int]:
    """On a worker: whether Prefect's client module has the shared SSL contexts, whether
    two API clients built there verify with the same one, and this process's id."""
    import types

    from prefect.client import orchestration
    from prefect.client.orchestration import get_client

    first, second = get_client(sync_client=True), get_client(sync_client=True)
    verify = [c._client._transport._pool._ssl_context for c in (first, second)]
    return (not isinstance(orchestration.ssl, types.ModuleType), verify[0] is verify[1],
            os.getpid())  # fmt: skip


def test_workers_share_one_ssl_context_for_the_prefect_api(prefect_harness):
    """The worker plugin open_runner registers gives Prefect's API clients on a worker one
    SSL context (built once, not twice per task); the flow's process is left as it was."""
    import types

    from prefect.client import orchestration

    @flow
    def on_worker() -> tuple[bool, bool, int]:
        with open_runner("local:1") as runner:
            return runner.submit(_api_tls, parameters={}).result()

    shared, same, worker = on_worker()
    assert shared and same and worker != os.getpid()
    assert isinstance(orchestration.ssl, types.ModuleType)  # not in this process


def test_batches_are_larger_on_dask_unless_asked():
    """A Dask batch is one Prefect task, ~0.2 s to start on a worker: 500 pages by default
    there, 250 in this process; a size given is kept, and one under 1 is refused."""
    from gigawatch.settings import DASK_BATCH_SIZE, DEFAULT_BATCH_SIZE, batch_size_for

    assert (DEFAULT_BATCH_SIZE, DASK_BATCH_SIZE) == (250, 500)
    assert batch_size_for(None, parse_spec("local:2").distributed) == DASK_BATCH_SIZE
    assert batch_size_for(None, parse_spec(None).distributed) == DEFAULT_BATCH_SIZE
    assert batch_size_for(7, True) == batch_size_for(7, False) == 7
    with pytest.raises(ValueError, match="at least 1"):
        batch_size_for(0, False)


def test_run_heap_freezes_then_puts_the_collector_back():
    import gc

    from flows.heap import FIRST_GENERATION, run_heap

    before = gc.get_threshold()
    with run_heap():
        assert gc.get_threshold()[0] == FIRST_GENERATION and gc.get_freeze_count() > 0
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_a_run_on_a_local_cluster_killed_in_a_batch_leaves_nothing_behind(
    prefect_harness, tmp_path
):
    """``gigawatch run --dask local:1`` killed with SIGKILL inside its second batch's
    transaction: its Dask workers, their nanny and the crawl child end with it, the first
    batch is whole, and the next run stores every article exactly once."""
    with FixtureSite(article_delay=0.2) as site:
        for i in range(N):
            site.add_article(f"d-{i}", date(2025, 10, 1 + i % 28), i)
        site.publish_feed()
        sources = tmp_path / "s.toml"
        sources.write_text(site.sources(), encoding="utf-8")
        db, marker = tmp_path / "w.duckdb", tmp_path / "paused"
        env = {**_env(prefect_harness), "GIGAWATCH_TEST_PAUSE_AT": "load:2",
               "GIGAWATCH_TEST_PAUSE_FILE": str(marker)}  # fmt: skip
        proc = _start(sources, db, env, "--batch-size", "4", "--dask", "local:1")
        _wait(marker.exists, proc, "the pause in the second batch's transaction")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 15
        while _group(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = _group(proc.pid)
        _kill(proc)
        assert not left, left
        assert 0 < assert_consistent(db) < N
        assert _count(db, "SELECT count(*) FROM fetches") == 4  # the first batch's pages
        env.pop("GIGAWATCH_TEST_PAUSE_AT")
        _next_run_completes(sources, db, env, site)
