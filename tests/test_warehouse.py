import subprocess
import sys
import time
from pathlib import Path

import pytest

from warehouse import db as wh


def test_migrations_are_recorded_and_applied_once(tmp_path: Path):
    path = tmp_path / "w.duckdb"
    first = wh.ensure_schema(path)
    assert first[0] == "0001_core.sql"
    assert wh.ensure_schema(path) == []
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
    wh.ensure_schema(path)
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
    wh.ensure_schema(path)
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
    wh.ensure_schema(path)
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
