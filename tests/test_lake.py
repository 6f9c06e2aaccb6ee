"""Lake mode (issue 16, point 2): batches written as Parquet files to a folder or to S3, a
DuckDB catalogue with the same views over them.

On the demo site ingested by the real flow (127.0.0.1): every public view of a catalogue over
a local lake, and over a lake on an S3 API served locally by moto, answers as the single-file
warehouse does; ``gigawatch lake compact`` changes no answer, even while a day's old files and
the merged one are both there; a sandboxed query reads the lake and nothing else; two
``gigawatch run`` processes writing the same lake at the same time, each with its own
catalogue, lose nothing: every article of both is in each catalogue after ``lake sync``, and
in a new one synced from the lake alone.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from gigawatch.cli import app
from warehouse import db as wh
from warehouse.lake_fs import TABLES, Lake

ROOT = Path(__file__).resolve().parents[1]
VIEWS = sorted(
    name
    for p in (ROOT / "warehouse" / "views").glob("*.sql")
    for name in re.findall(r"CREATE OR REPLACE VIEW (\w+)", p.read_text(encoding="utf-8"))
)
DERIVED = ("article_dedupe", "trend_docs", "trend_mentions", "trend_weekly", "trend_deals",
           "trend_cooccurrence", "trend_story_orgs")  # fmt: skip
# columns that differ between two runs of the same crawl: ids and times of the run itself
VOLATILE = {"run_id", "fetch_id", "fetched_at", "extracted_at", "tagged_at", "started_at",
            "finished_at", "params", "summary", "last_fetch", "last_success"}  # fmt: skip
# which of an article's URLs (with or without tracking parameters) a crawl fetches first is a
# race between its feed and its sitemap, in either mode: the other one is not fetched
RACE = {"pages": {"url", "final_url"}, "fetches": {"url", "final_url"}}
# what the catalogues of one lake share: everything but their own run records
SHARED = [v for v in VIEWS if v not in ("runs", "alerts")] + [*TABLES, *DERIVED]
BATCH = 10  # pages per batch: several batches, so several files in a day's partition


def answers(db: Path, relations: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Sorted rows of each relation, without the columns that name or time a run."""
    con = wh.connect(db, read_only=True)
    try:
        out = {}
        for name in relations:
            cols = [r[0] for r in con.execute(f"DESCRIBE {name}").fetchall()]
            skip = VOLATILE | RACE.get(name, set())
            keep = ", ".join(f'"{c}"' for c in cols if c not in skip)
            out[name] = sorted(con.execute(f"SELECT {keep} FROM {name}").fetchall(), key=repr)
        return out
    finally:
        con.close()


def everything() -> list[str]:
    return [*VIEWS, *TABLES, *DERIVED]


def _ingest(sources: Path, db: Path, lake: str | None, **params: Any) -> dict[str, Any]:
    from flows.ingest import ingest

    return ingest(sources=str(sources), db=str(db), lake=lake, **params)


def _files(lake: Path) -> dict[str, list[Path]]:
    """The Parquet files of each day partition of each table."""
    return {
        str(part.relative_to(lake)): sorted(part.glob("*.parquet"))
        for table in TABLES
        for part in sorted((lake / table).glob("day=*"))
    }


@pytest.fixture(scope="module")
def local_lake(
    prefect_harness: None, demo_sources: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The demo site ingested into a local lake, 10 pages a batch."""
    base = tmp_path_factory.mktemp("lake")
    summary = _ingest(demo_sources, base / "catalogue.duckdb", str(base / "lake"),
                      batch_size=BATCH)  # fmt: skip
    return {"db": base / "catalogue.duckdb", "lake": base / "lake", "summary": summary}


def test_a_local_lake_answers_as_one_warehouse_file(ingested, demo_sources, tmp_path):
    """In the same batches as the shared single-file ingest (one: the demo's 68 pages), the
    same answers. (Across several batches, the stories an ingest finds depend on the order
    the crawl returns pages, in either mode: the next tests compare catalogues of one lake.)"""
    db, lake = tmp_path / "catalogue.duckdb", tmp_path / "lake"
    summary = _ingest(demo_sources, db, str(lake))
    assert summary["articles_new"] == ingested["summary"]["articles_new"] > 40
    assert len(list((lake / "_batches").glob("*.json"))) == 1
    assert answers(db, everything()) == answers(ingested["db"], everything())
    runner = CliRunner()
    for what in ("orgs", "topics", "power", "money", "rising"):
        lake_out = runner.invoke(app, ["trends", what, "--db", str(db)])
        assert lake_out.exit_code == 0, lake_out.output
        assert lake_out.output == runner.invoke(app, ["trends", what, "--db",
                                                      str(ingested["db"])]).output  # fmt: skip


def test_batches_are_immutable_files_committed_by_a_manifest(local_lake, tmp_path):
    lake = local_lake["lake"]
    manifests = sorted((lake / "_batches").glob("*.json"))
    assert len(manifests) >= 5  # 68 pages, 10 a batch
    files = _files(lake)
    assert files and all(re.fullmatch(r"\w+/day=\d{4}-\d{2}-\d{2}", part) for part in files)
    assert max(len(f) for f in files.values()) >= 5  # one file per table per batch
    assert not list(lake.rglob("*.tmp-*"))  # nothing left half-written
    # a new catalogue folded from the lake alone, in commit order, is the writer's
    fresh = tmp_path / "fresh.duckdb"
    synced = CliRunner().invoke(app, ["lake", "sync", "--db", str(fresh), "--lake", str(lake)])
    assert synced.exit_code == 0, synced.output
    assert f"{len(manifests)} batches folded" in synced.output
    assert answers(fresh, SHARED) == answers(local_lake["db"], SHARED)
    # a batch a killed writer left without its manifest is not shown
    orphan = lake / "documents" / "day=2025-01-01" / "run-0123456789abcdef.parquet"
    orphan.parent.mkdir()
    source = files[next(p for p in files if p.startswith("documents"))][0]
    duckdb.sql(f"COPY (SELECT * REPLACE ('run-0123456789abcdef' AS lake_batch) FROM "
               f"read_parquet('{source}')) TO '{orphan}' (FORMAT parquet)")  # fmt: skip
    again = CliRunner().invoke(app, ["lake", "sync", "--db", str(fresh)])
    assert again.exit_code == 0 and "0 batches folded" in again.output
    assert answers(fresh, SHARED) == answers(local_lake["db"], SHARED)
    orphan.unlink()
    orphan.parent.rmdir()


def test_compaction_changes_no_answer(local_lake, tmp_path):
    db, lake = local_lake["db"], local_lake["lake"]
    before = answers(db, everything())
    part, originals = next((p, f) for p, f in _files(lake).items() if p.startswith("documents"))
    saved = tmp_path / originals[0].name
    shutil.copy(originals[0], saved)

    result = CliRunner().invoke(app, ["lake", "compact", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "documents" in result.output
    assert all(len(f) == 1 for f in _files(lake).values())
    assert answers(db, everything()) == before

    # a compaction stopped between putting the merged file up and deleting the old ones:
    # a batch's rows are in both, and are still read once
    shutil.copy(saved, lake / part / saved.name)
    assert len(_files(lake)[part]) == 2
    assert answers(db, everything()) == before
    result = CliRunner().invoke(app, ["lake", "compact", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert len(_files(lake)[part]) == 1
    assert answers(db, everything()) == before
    # rows keep their batch: a catalogue that folds the batches after the compaction gets
    # what the writer's got
    fresh = tmp_path / "fresh.duckdb"
    synced = CliRunner().invoke(app, ["lake", "sync", "--db", str(fresh), "--lake", str(lake)])
    assert synced.exit_code == 0, synced.output
    assert answers(fresh, SHARED) == answers(db, SHARED)


def test_a_lake_catalogue_is_queried_like_a_warehouse(local_lake, ingested, tmp_path):
    db, lake = local_lake["db"], local_lake["lake"]
    runner = CliRunner()
    status = runner.invoke(app, ["lake", "status", "--db", str(db)])
    assert status.exit_code == 0, status.output
    assert "not_synced: 0" in status.output

    # the SQL sandbox reads the lake's files, and no other file
    query = runner.invoke(app, ["query", "--db", str(db), "--format", "csv",
                                "SELECT count(*) FROM articles"])  # fmt: skip
    assert query.exit_code == 0, query.output
    assert query.output.split() == ["count_star()", str(ingested["summary"]["articles_new"])]
    outside = tmp_path / "secret.csv"
    outside.write_text("a\n1\n", encoding="utf-8")
    for sql in (f"SELECT * FROM read_csv('{outside}')",
                f"SELECT * FROM read_csv('{lake}/../{outside.name}')"):  # fmt: skip
        refused = runner.invoke(app, ["query", "--db", str(db), sql])
        assert refused.exit_code != 0 and "disabled by configuration" in refused.output, sql

    # the read side works unchanged: a report, an export
    report = runner.invoke(app, ["report", "--db", str(db), "--out", str(tmp_path / "r.md")])
    assert report.exit_code == 0, report.output
    exported = runner.invoke(app, ["export", "--db", str(db), "--out", str(tmp_path / "x")])
    assert exported.exit_code == 0, exported.output
    assert (tmp_path / "x" / "articles").is_dir() and (tmp_path / "x" / "documents").is_dir()

    # commands that rewrite stored articles or tags in place refuse, saying why
    from warehouse.lake_fs import LakeError
    from warehouse.reextract import candidates
    from warehouse.tags import retag

    with pytest.raises(LakeError, match="catalogue of the lake"):
        retag(db)
    con = wh.connect(db, read_only=True)
    try:
        with pytest.raises(LakeError, match="immutable"):
            candidates(con, None, None, [], False, datetime.now(UTC))
    finally:
        con.close()

    # a warehouse with rows of its own does not become a catalogue; nor does another lake's
    other = runner.invoke(app, ["lake", "sync", "--db", str(ingested["db"]), "--lake",
                                str(tmp_path / "l2")])  # fmt: skip
    assert other.exit_code == 2 and "starts empty" in other.output
    other = runner.invoke(app, ["lake", "sync", "--db", str(db), "--lake", str(tmp_path / "l2")])
    assert other.exit_code == 2 and "catalogue of the lake" in other.output


def test_a_pending_migration_alters_a_catalogue_as_a_table(local_lake, tmp_path):
    """A migration that alters a base table still applies on a catalogue (its views become
    tables while migrations run); the views read the lake again afterwards."""
    db = tmp_path / "copy.duckdb"
    shutil.copy(local_lake["db"], db)
    before = answers(db, ["articles", "mentions"])
    con = wh.connect(db)
    try:
        con.execute("DELETE FROM schema_migrations WHERE name = '0008_versions.sql'")
    finally:
        con.close()
    from warehouse import schema

    assert schema.ensure_schema(db) == ["0008_versions.sql"]  # ALTER TABLE documents ...
    assert answers(db, ["articles", "mentions"]) == before


# --- S3 -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def s3() -> Iterator[str]:
    """An S3 API on 127.0.0.1 (moto in server mode) and the AWS variables that point at it."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": f"http://{host}:{port}",
           "AWS_EC2_METADATA_DISABLED": "true"}  # fmt: skip
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        lake = Lake.open("s3://gigawatch-lake/demo")
        lake.fs.mkdir("gigawatch-lake")
        lake.fs.pipe_file("gigawatch-lake/elsewhere/secret.csv", b"a\n1\n")
        yield "s3://gigawatch-lake/demo"
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        server.stop()


def test_a_lake_on_s3_answers_as_one_warehouse_file(ingested, demo_sources, s3, tmp_path):
    db = tmp_path / "s3-catalogue.duckdb"
    summary = _ingest(demo_sources, db, s3)
    assert summary["articles_new"] == ingested["summary"]["articles_new"]
    lake = Lake.open(s3)
    assert len(lake.manifest_names()) == 1
    assert lake.fs.glob(lake.path("documents", "day=*", "*.parquet"))
    assert answers(db, everything()) == answers(ingested["db"], everything())

    # a second run, without --lake, writes to the lake its catalogue records; it knows every
    # article (read from the lake through the catalogue) and adds its fetch records: a
    # second file in the day's partition of fetches
    assert _ingest(demo_sources, db, None)["articles_new"] == 0
    assert len(lake.manifest_names()) == 2
    expected = answers(db, everything())
    runner = CliRunner()
    compacted = runner.invoke(app, ["lake", "compact", "--db", str(db)])
    assert compacted.exit_code == 0, compacted.output
    for table in TABLES:
        for part in lake.fs.glob(lake.path(table, "day=*")):
            assert len(lake.fs.glob(f"{part}/*.parquet")) == 1, part
    assert answers(db, everything()) == expected

    query = runner.invoke(app, ["query", "--db", str(db), "--format", "csv",
                                "SELECT count(*) FROM documents"])  # fmt: skip
    assert query.exit_code == 0, query.output
    assert query.output.split()[-1] == str(summary["articles_new"])
    for sql in ("SELECT * FROM read_csv('s3://gigawatch-lake/elsewhere/secret.csv')",
                f"SELECT * FROM read_csv('{demo_sources}')"):  # fmt: skip
        refused = runner.invoke(app, ["query", "--db", str(db), sql])
        assert refused.exit_code != 0 and "disabled by configuration" in refused.output, sql


# --- two writers at once ----------------------------------------------------------------------


def _run(sources: Path, db: Path, lake: Path, env: dict[str, str], *args: str) -> subprocess.Popen:
    """``gigawatch run`` (or, with ``args`` starting with "backfill", ``gigawatch backfill``)."""
    command = ["backfill", *args[1:]] if args[:1] == ("backfill",) else ["run", *args]
    return subprocess.Popen(
        [sys.executable, "-m", "gigawatch.cli", *command, "--sources", str(sources),
         "--db", str(db), "--lake", str(lake)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def test_two_writers_at_once_lose_nothing(prefect_harness, ingested, demo_sources, tmp_path):
    """Writer 1 (`gigawatch run`, every source, one batch) has extracted its batch and not
    stored it yet when writer 2 (`gigawatch backfill` of two of the sources over the demo's
    months, 10 pages a batch) runs from start to end; then writer 1 stores: its catalogue knew
    none of writer 2's articles, so the lake holds them twice."""
    from prefect.settings import PREFECT_API_URL

    lake = tmp_path / "lake"
    pause = tmp_path / "pause"
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    first = _run(demo_sources, tmp_path / "one.duckdb", lake,
                 {**env, "GIGAWATCH_TEST_PAUSE_AT": "extract:1",
                  "GIGAWATCH_TEST_PAUSE_FILE": str(pause)})  # fmt: skip
    deadline = time.monotonic() + 120
    while not pause.exists():
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline, "writer 1 never extracted its batch"
        time.sleep(0.05)
    second = _run(demo_sources, tmp_path / "two.duckdb", lake, env, "backfill", "--since",
                  "2025-01-01", "--until", "2025-12-31", "--batch-size", str(BATCH),
                  "--source", "courrier", "--source", "infraeuropa")  # fmt: skip
    out2 = second.communicate(timeout=300)
    assert first.poll() is None  # still running: its batch extracted, not stored
    pause.unlink()
    out1 = first.communicate(timeout=300)
    # 3: a partial run (the demo's dead source), everything else stored
    assert first.returncode in (0, 3), out1
    assert second.returncode in (0, 3), out2

    shared = Lake.open(str(lake))
    commits = sorted((m for m in map(shared.read_manifest, shared.manifest_names()) if m),
                     key=lambda m: m["committed_at"])  # fmt: skip
    runs = [m["run_id"] for m in commits]
    assert len(runs) >= 3 and len(set(runs)) == 2
    assert runs[-1] != runs[0] and runs.count(runs[-1]) == 1  # writer 2's, then writer 1's

    runner = CliRunner()
    for db in ("one.duckdb", "two.duckdb", "three.duckdb"):
        synced = runner.invoke(app, ["lake", "sync", "--db", str(tmp_path / db), "--lake",
                                     str(lake)])  # fmt: skip
        assert synced.exit_code == 0, synced.output
    # each catalogue folded every batch in commit order: the same answers
    three = answers(tmp_path / "three.duckdb", SHARED)
    assert answers(tmp_path / "one.duckdb", SHARED) == three
    assert answers(tmp_path / "two.duckdb", SHARED) == three
    # and every article, as the single-file ingest stored and tagged it
    tables = ["documents", "article_tags", "tag_mentions", "tag_facts", "tag_candidates"]
    assert answers(tmp_path / "three.duckdb", tables) == answers(ingested["db"], tables)
    con = wh.connect(tmp_path / "three.duckdb", read_only=True)
    try:
        in_lake = con.execute(
            "SELECT count(DISTINCT article_id), count(*) FROM read_parquet(?)",
            [str(lake / "documents" / "**" / "*.parquet")],
        ).fetchone()
        shown = con.execute("SELECT count(*), count(DISTINCT article_id) FROM documents").fetchone()
        # an article both stored is shown as the first commit stored it: writer 2's
        by_second, shown_as_theirs = con.execute(
            "SELECT count(*), count(w.article_id) FROM lake.rows_documents r "
            "JOIN lake.batches b ON b.batch = r.lake_batch LEFT JOIN lake.winners_documents w "
            "ON w.article_id = r.article_id AND w.lake_batch = r.lake_batch WHERE b.run_id = ?",
            [runs[0]],
        ).fetchone()
    finally:
        con.close()
    assert in_lake[1] > in_lake[0]  # both stored the articles of the two sources
    assert shown == (in_lake[0], in_lake[0])  # each article once, none lost
    assert by_second == shown_as_theirs > 0


def test_a_refreshed_article_shows_its_new_version(prefect_harness, tmp_path):
    """--refresh re-extracts a changed page: the lake keeps both versions, the views show the
    new one with its tags, as a single-file warehouse does."""
    from datetime import date

    from tests.sitekit import FixtureSite

    with FixtureSite() as site:
        for i in range(6):
            site.add_article(f"story-{i}", date(2025, 10, 1 + i), i)
        site.publish_feed()
        sources = tmp_path / "s.toml"
        sources.write_text(site.sources(), encoding="utf-8")
        single, db, lake = tmp_path / "w.duckdb", tmp_path / "cat.duckdb", tmp_path / "lake"
        for target, url in ((single, None), (db, str(lake))):
            assert _ingest(sources, target, url)["articles_new"] == 6
        site.add_article("story-0", date(2025, 10, 1), 0, extra="Correction: the date was moved.")
        for target, url in ((single, None), (db, str(lake))):
            assert _ingest(sources, target, url, refresh=True)["articles_new"] == 1
    tables = ["documents", "article_tags", "tag_mentions", "tag_facts", "articles",
              "article_dedupe", "trend_docs"]  # fmt: skip
    assert answers(db, tables) == answers(single, tables)
    con = wh.connect(db, read_only=True)
    try:
        text = con.execute("SELECT text FROM documents WHERE url LIKE '%story-0%'").fetchone()[0]
        versions = con.execute(
            "SELECT lake_op FROM lake.rows_documents WHERE url LIKE '%story-0%' ORDER BY lake_seq"
        ).fetchall()
    finally:
        con.close()
    assert "Correction: the date was moved." in text
    assert versions == [("insert",), ("update",)]
