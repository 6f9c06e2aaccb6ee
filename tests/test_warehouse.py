import subprocess
import sys
import time
from pathlib import Path

import pytest

from warehouse import db as wh
from warehouse import schema


def test_migrations_are_recorded_and_applied_once(tmp_path: Path):
    path = tmp_path / "w.duckdb"
    first = schema.ensure_schema(path)
    assert first[0] == "0001_core.sql"
    assert schema.ensure_schema(path) == []
    con = wh.connect(path, read_only=True)
    names = [
        r[0] for r in con.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()
    ]
    views = {
        r[0]
        for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    }
    con.close()
    assert names == first
    assert {"pages", "articles"} <= views


def test_writer_rolls_back_a_failed_batch(tmp_path: Path):
    path = tmp_path / "w.duckdb"
    schema.ensure_schema(path)
    with pytest.raises(RuntimeError), wh.writer(path) as con:
        con.execute(
            "INSERT INTO flow_runs (run_id, flow, started_at, status) VALUES ('r', 'f', now(), 'x')"
        )
        raise RuntimeError("boom in the middle of a batch")
    con = wh.connect(path, read_only=True)
    assert con.execute("SELECT count(*) FROM flow_runs").fetchone() == (0,)
    con.close()


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("held", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def test_waits_for_another_writer_then_gives_up_with_a_clear_message(tmp_path: Path):
    path = tmp_path / "w.duckdb"
    schema.ensure_schema(path)
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), "30"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(wh.WarehouseBusy, match="held by another process"):
            wh.connect(path, lock_timeout=1.0)
        assert 0.9 < time.monotonic() - started < 10
    finally:
        proc.kill()
        proc.wait()


def test_gets_the_lock_once_the_other_writer_leaves(tmp_path: Path):
    path = tmp_path / "w.duckdb"
    schema.ensure_schema(path)
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path), "1.5"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "held"
        con = wh.connect(path, lock_timeout=20)
        con.close()
    finally:
        proc.wait()


def test_read_only_on_missing_file_says_what_to_do(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="gigawatch run"):
        wh.connect(tmp_path / "missing.duckdb", read_only=True)


OLD_DDL = Path(__file__).parent / "fixtures" / "warehouse"


def _old_warehouse(path: Path, dedupe_ddl: str) -> None:
    """A warehouse as gigawatch wrote it before derived_state: migrations 0001-0005, 0003
    with the text it had then (``first`` is the text 0003 has again), articles folded by
    that version (here: each its own story) and trend tables of other SQL."""
    from tests.test_dedupe_fixtures import ARTICLES, insert
    from warehouse.sqlfiles import read_sql, sql_files, sql_statements

    con = wh.connect(path)
    for stmt in sql_statements("schema/migrations_table"):
        con.execute(stmt)
    for name, sql in sql_files("migrations"):
        if name[:4] > "0005":
            break
        if name == "0003_dedupe.sql" and dedupe_ddl != "first":
            sql = (OLD_DDL / f"0003_dedupe_{dedupe_ddl}.sql").read_text(encoding="utf-8")
        con.execute(sql)
        con.execute(read_sql("schema/migration_record"), {"name": name})
    insert(con, ARTICLES)
    con.execute("INSERT INTO article_dedupe (article_id, story_id) SELECT article_id, article_id "
                "FROM documents")  # fmt: skip
    con.execute("INSERT INTO trend_state VALUES ('version', 'older')")
    con.close()


@pytest.mark.parametrize("dedupe_ddl", ["first", "v1", "v2"])
def test_a_warehouse_of_an_earlier_version_upgrades(tmp_path: Path, dedupe_ddl: str):
    from tests.test_dedupe_fixtures import ARTICLES, insert
    from tests.test_dedupe_fixtures import snapshot as dedupe_snapshot
    from tests.test_trend_store import ingest
    from tests.test_trend_store import snapshot as trend_snapshot
    from warehouse import dedupe_store, trend_store

    old, new = tmp_path / "old.duckdb", tmp_path / "new.duckdb"
    _old_warehouse(old, dedupe_ddl)
    applied = schema.ensure_schema(old)
    assert "0007_derived_state.sql" in applied and all(n[:4] > "0005" for n in applied)
    con = wh.connect(old)
    # the trend tables were rebuilt by the open; the dedupe state waits for the next fold
    assert trend_store.stored_version(con) == trend_store.sql_version()
    assert not wh.table_exists(con, "trend_state")
    assert not dedupe_store.is_current(con)
    one = [ARTICLES[0]["id"]]
    ingest(con, one)  # one article's batch refolds every stored article
    assert dedupe_store.is_current(con)

    schema.ensure_schema(new)
    fresh = wh.connect(new)
    ingest(fresh, insert(fresh, ARTICLES))
    columns = "SELECT table_name, column_name, data_type FROM duckdb_columns() ORDER BY ALL"
    assert con.execute(columns).fetchall() == fresh.execute(columns).fetchall()
    state = "SELECT * FROM derived_state ORDER BY name"
    assert con.execute(state).fetchall() == fresh.execute(state).fetchall()
    got, want = dedupe_snapshot(con), dedupe_snapshot(fresh)
    assert [r[:5] for r in got["article_dedupe"]] == [r[:5] for r in want["article_dedupe"]]
    assert trend_snapshot(con) == trend_snapshot(fresh)
    assert (
        con.execute("SELECT * FROM dedupe_state").fetchall()
        == fresh.execute("SELECT * FROM dedupe_state").fetchall()
    )
    con.close()
    fresh.close()


def test_recorded_run_records_the_start_the_end_and_a_failure(tmp_path: Path):
    import json

    from warehouse.runs import recorded_run

    path = tmp_path / "w.duckdb"

    def record(run_id: str) -> tuple:
        con = wh.connect(path, read_only=True)
        status, summary = con.execute(
            "SELECT status, summary FROM flow_runs WHERE run_id = ?", [run_id]
        ).fetchone()
        con.close()
        return status, summary and json.loads(summary)

    with recorded_run(path, "retag", {"taxonomy": None}, run_id="r1") as run:
        assert record("r1") == ("running", None)
        run.summary = {"run_id": "r1", "articles": 3}
    assert record("r1") == ("completed", {"run_id": "r1", "articles": 3})
    with pytest.raises(RuntimeError, match="boom"), recorded_run(path, "restory", {}, run_id="r2"):
        raise RuntimeError("boom")
    assert record("r2") == ("failed", {"error": "RuntimeError: boom"})
    # work that records its own end (the ingest's last batch) leaves the record to itself;
    # a run left running is marked interrupted when the next one starts
    with recorded_run(path, "ingest", {}, run_id="r3"):
        pass
    assert record("r3") == ("running", None)
    with recorded_run(path, "ingest", {}, run_id="r4"):
        assert record("r3")[0] == "interrupted"
