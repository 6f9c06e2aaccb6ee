"""The SQL sandbox of ``gigawatch query``: DuckDB itself refuses what is not a read-only query.

Each attack an outside tester tried is a case here; after every one the warehouse must be as it
was. Data is printed as stored: no rich markup, no emoji codes, in every format.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from gigawatch.cli import EXIT_BAD_INPUT, app
from warehouse import db as wh
from warehouse import trend_store

DESTROY = (
    "ATTACH '{other}' AS other (READ_WRITE); USE other; DETACH {name}; "
    "ATTACH '{db}' AS {name} (READ_WRITE); DELETE FROM {name}.documents"
)

ATTACKS = {
    "attach_use_detach_delete": DESTROY,
    "attach_alone": "ATTACH '{other}' AS other (READ_WRITE)",
    "detach": "DETACH {name}",
    "use": "USE memory",
    "delete": "DELETE FROM documents",
    "drop": "DROP VIEW articles",
    "create": "CREATE TABLE x AS SELECT 1",
    "read_csv_passwd": "SELECT * FROM read_csv('/etc/passwd')",
    "read_text": "SELECT * FROM read_text('/etc/hostname')",
    "glob": "SELECT * FROM glob('/etc/*')",
    "read_parquet_url": "SELECT * FROM read_parquet('http://127.0.0.1:9/x.parquet')",
    "copy_to": "COPY (SELECT 1) TO '{tmp}/x.csv'",
    "export_database": "EXPORT DATABASE '{tmp}/d'",
    "pragma_profiling_output": "PRAGMA profiling_output='{tmp}/p.json'",
    "set_memory_limit": "SET memory_limit='100GB'",
    "set_threads": "SET threads=64",
    "reset_lock": "SET lock_configuration=false",
    "install": "INSTALL httpfs",
    "load": "LOAD httpfs",
    "checkpoint": "CHECKPOINT",
    "call": "CALL pragma_version()",
    "two_selects": "SELECT 1; SELECT 2",
    "query_function_with_a_write": "SELECT * FROM query('DELETE FROM documents')",
    "empty": "   ",
}


@pytest.fixture(scope="module")
def warehouse_copy(ingested, tmp_path_factory) -> Path:
    """A copy of the demo warehouse that the attacks are aimed at."""
    db = tmp_path_factory.mktemp("sandbox") / "target.duckdb"
    shutil.copy(ingested["db"], db)
    return db


def _counts(db: Path) -> tuple[int, int, int]:
    con = wh.connect(db, read_only=True)
    try:
        return con.execute(
            "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM fetches), "
            "(SELECT count(*) FROM duckdb_tables())"
        ).fetchone()  # type: ignore[return-value]
    finally:
        con.close()


def _query(db: Path, sql: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gigawatch.cli", "query", "--db", str(db), *args, sql],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("case", sorted(ATTACKS))
def test_attack_is_refused_and_the_warehouse_is_untouched(case, warehouse_copy, tmp_path):
    before = _counts(warehouse_copy)
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    sql = ATTACKS[case].format(db=warehouse_copy, name=warehouse_copy.stem, other=other,
                               tmp=tmp_path)  # fmt: skip
    result = CliRunner().invoke(app, ["query", "--db", str(warehouse_copy), sql])
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    message = result.output.strip()
    if not message.startswith("Parser Error"):  # DuckDB's parser points at the place, below
        assert "\n" not in message, message  # one line
    assert message.startswith(("refused:", "Permission Error", "Parser Error")), message
    assert "root:" not in result.output and "Traceback" not in result.output
    assert _counts(warehouse_copy) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.duckdb"]  # nothing written


def test_refusals_name_what_was_refused(warehouse_copy):
    runner = CliRunner()
    cases = {
        "SELECT 1; SELECT 2": "2 statements given",
        "PRAGMA profiling_output='/tmp/p.json'": "PRAGMA statements are not allowed",
        "COPY (SELECT 1) TO '/tmp/x.csv'": "COPY statements are not allowed",
        "SELECT * FROM read_csv('/etc/passwd')": 'Cannot access file "/etc/passwd"',
        "INSTALL httpfs": "INSTALL statements are not allowed",
    }
    for sql, expected in cases.items():
        result = runner.invoke(app, ["query", "--db", str(warehouse_copy), sql])
        assert result.exit_code == EXIT_BAD_INPUT
        assert expected in result.output, (sql, result.output)


def test_sandbox_settings_are_in_force(warehouse_copy):
    names = ["enable_external_access", "lock_configuration", "autoload_known_extensions",
             "access_mode", "threads"]  # fmt: skip
    sql = "SELECT " + ", ".join(f"current_setting('{n}')" for n in names)
    result = CliRunner().invoke(app, ["query", "--db", str(warehouse_copy), "-f", "csv", sql])
    assert result.exit_code == 0, result.output
    row = list(csv.reader(io.StringIO(result.output)))[1]
    assert row == ["False", "True", "False", "read_only", "2"]


def test_queries_of_every_shape_still_answer(warehouse_copy):
    runner = CliRunner()
    for sql in (
        "SELECT count(*) AS n FROM articles;",
        "WITH a AS (SELECT source FROM articles) SELECT count(DISTINCT source) AS n FROM a",
        "FROM articles SELECT count(*) AS n",
        "SELECT count(*) AS n FROM rising_at(DATE '2025-11-13')",
        "DESCRIBE articles",
        "SUMMARIZE SELECT gw FROM power_deals",
        "EXPLAIN SELECT * FROM stories",
    ):
        result = runner.invoke(app, ["query", "--db", str(warehouse_copy), "-f", "json", sql])
        assert result.exit_code == 0, (sql, result.output)
        assert json.loads(result.output), sql


RUNAWAY = "SELECT count(*) FROM range(1000000) a, range(1000000) b"


def test_timeout_interrupts_a_runaway_query(warehouse_copy):
    proc = _query(warehouse_copy, RUNAWAY, "--timeout", "1")
    assert proc.returncode == EXIT_BAD_INPUT
    assert proc.stderr.strip() == ("refused: the query ran past its time limit of 1 s (--timeout)")
    assert proc.stdout == ""


# VmHWM, not ru_maxrss: a child's ru_maxrss starts from its parent's (pytest's) at fork.
PEAK_RSS = """
import runpy, sys
sys.argv = ["gigawatch", *sys.argv[1:]]
try:
    runpy.run_module("gigawatch.cli", run_name="__main__")
finally:
    hwm = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
    print("peak_kib", hwm, file=sys.stderr)
"""


def test_results_are_streamed_in_bounded_memory(warehouse_copy):
    """300,000 rows of 1 KB (about 300 MB if fetched at once) stream through in chunks."""
    with subprocess.Popen(
        [sys.executable, "-c", PEAK_RSS, "query", "--db", str(warehouse_copy), "-f", "csv",
         "SELECT range AS i, repeat('x', 1000) AS pad FROM range(300000)"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    ) as proc:  # fmt: skip
        lines = sum(1 for _ in proc.stdout)  # type: ignore[union-attr]
        stderr = proc.stderr.read()  # type: ignore[union-attr]
        proc.wait(timeout=120)
    assert proc.returncode == 0, stderr
    assert lines == 300_001  # header + every row: csv/json stream everything by default
    peak_mib = int(stderr.split("peak_kib")[1].split()[0]) / 1024
    assert peak_mib < 250, f"peak RSS {peak_mib:.0f} MiB"


def test_max_rows_caps_the_result_and_says_so(warehouse_copy):
    proc = _query(warehouse_copy, "SELECT * FROM range(10000000)", "-f", "csv", "--max-rows", "5")
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == ["range", "0", "1", "2", "3", "4"]
    assert proc.stderr.strip() == "(stopped at 5 rows: --max-rows)"
    table = _query(warehouse_copy, "SELECT * FROM range(10000000)")  # a table: 10,000 by default
    assert table.returncode == 0 and "│ 9999 " in table.stdout and "10000" not in table.stdout
    assert "stopped at 10000 rows" in table.stderr


def test_parquet_out_is_written_by_the_cli_and_whole_or_not_at_all(warehouse_copy, tmp_path):
    runner = CliRunner()
    out = tmp_path / "sub" / "titles.parquet"
    ok = runner.invoke(app, ["query", "--db", str(warehouse_copy), "-f", "parquet", "-o",
                             str(out), "SELECT title FROM articles"])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    n = duckdb.connect().execute("SELECT count(*) FROM read_parquet(?)", [str(out)]).fetchone()
    assert f"{n[0]} rows written" in ok.output
    late = tmp_path / "late.parquet"
    slow = runner.invoke(app, ["query", "--db", str(warehouse_copy), "-f", "parquet", "-o",
                               str(late), "--timeout", "1",
                               RUNAWAY])  # fmt: skip
    assert slow.exit_code == EXIT_BAD_INPUT and "time limit" in slow.output
    # the SQL cannot read or write other files through the allowed path
    peek = runner.invoke(app, ["query", "--db", str(warehouse_copy), "-f", "parquet", "-o",
                               str(late), f"SELECT * FROM read_parquet('{out}')"])  # fmt: skip
    assert peek.exit_code == EXIT_BAD_INPUT and "Permission Error" in peek.output
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["sub", "titles.parquet"]


HOSTILE = "[/b] [bold red]x[/] :x: postgres:x:101 <img src=x onerror=alert(1)> \x1b[2J"


@pytest.fixture(scope="module")
def hostile_titles(ingested, tmp_path_factory) -> Path:
    """The demo warehouse with every title replaced by text that looks like markup."""
    db = tmp_path_factory.mktemp("hostile-titles") / "titles.duckdb"
    shutil.copy(ingested["db"], db)
    con = wh.connect(db)
    try:
        con.execute("UPDATE documents SET title = ? || ' #' || article_id", [HOSTILE])
        trend_store.rebuild(con)
    finally:
        con.close()
    return db


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_query_prints_data_exactly_as_stored(hostile_titles, fmt):
    sql = "SELECT title FROM articles ORDER BY title LIMIT 1"
    result = CliRunner().invoke(app, ["query", "--db", str(hostile_titles), "-f", fmt, sql])
    assert result.exit_code == 0, result.output
    if fmt == "table":
        shown = HOSTILE.replace("\x1b", "\\x1b")  # control characters are shown escaped
        assert shown in result.output.replace("│", "").replace("\n", "") or all(
            part in result.output for part in shown.split()
        )
        assert "❌" not in result.output and "\x1b" not in result.output
    elif fmt == "csv":
        assert list(csv.reader(io.StringIO(result.output)))[1][0].startswith(HOSTILE)
    else:
        assert json.loads(result.output)[0]["title"].startswith(HOSTILE)


@pytest.mark.parametrize("what", ["power", "money"])
def test_trend_tables_print_markup_like_titles_literally(hostile_titles, what):
    args = ["trends", what, "--db", str(hostile_titles), "--since", "2025-01-01"]
    result = CliRunner().invoke(app, [*args, "--until", "2025-12-31"])
    assert result.exit_code == 0, result.output
    assert "[/b]" in result.output and ":x:" in result.output
    assert "❌" not in result.output and "\x1b" not in result.output
