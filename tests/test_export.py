"""Parquet out: ``gigawatch query --format parquet --out FILE`` and ``gigawatch export``."""

from __future__ import annotations

import duckdb
from typer.testing import CliRunner

from gigawatch.cli import EXIT_BAD_INPUT, app


def test_query_writes_parquet(ingested, tmp_path):
    db = str(ingested["db"])
    out = tmp_path / "deals" / "power.parquet"
    runner = CliRunner()
    result = runner.invoke(
        app, ["query", "--db", db, "--format", "parquet", "--out", str(out),
              "SELECT * FROM power_deals ORDER BY gw DESC;"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "17 rows written" in result.output
    con = duckdb.connect()
    rows = con.execute(
        "SELECT gw, n_sources, languages FROM read_parquet(?) LIMIT 1", [str(out)]
    ).fetchall()
    assert rows == [(10.0, 2, ["en", "fr"])]
    # parquet needs --out, --out needs parquet; SQL errors exit 2 as for the other formats
    assert runner.invoke(app, ["query", "--db", db, "-f", "parquet", "SELECT 1"]).exit_code == 2
    assert (
        runner.invoke(app, ["query", "--db", db, "--out", str(out), "SELECT 1"]).exit_code
        == EXIT_BAD_INPUT
    )
    bad = runner.invoke(app, ["query", "--db", db, "-f", "parquet", "-o", str(out), "SELEC 1"])
    assert bad.exit_code == EXIT_BAD_INPUT


def test_export_every_table_and_view_by_month(ingested, tmp_path):
    db = str(ingested["db"])
    result = CliRunner().invoke(app, ["export", "--db", db, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    src = duckdb.connect(db, read_only=True)
    names = {
        n
        for (n,) in src.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
    }
    assert {"articles", "pages", "power_deals", "org_weekly", "source_health"} <= names
    assert {p.name for p in tmp_path.iterdir()} == names

    def read(name: str) -> duckdb.DuckDBPyConnection:
        return duckdb.connect().execute(
            f"SELECT month, count(*) FROM read_parquet('{tmp_path / name}/*/*.parquet', "
            "hive_partitioning = true) GROUP BY month ORDER BY month"
        )

    # articles by month of publication: the demo runs from September to November 2025
    assert read("articles").fetchall() == [("2025-09", 11), ("2025-10", 21), ("2025-11", 16)]
    # facts have no date of their own: their article's month
    facts = dict(read("facts").fetchall())
    assert sorted(facts) == ["2025-09", "2025-10", "2025-11"]
    assert sum(facts.values()) == src.execute("SELECT count(*) FROM facts").fetchall()[0][0]
    # every row of every view made it
    for view in ("org_weekly", "power_deals", "money_deals", "cooccurrence", "stories"):
        exported = sum(n for _, n in read(view).fetchall())
        assert exported == src.execute(f"SELECT count(*) FROM {view}").fetchall()[0][0], view
    # relations with no time at all are one file
    assert (tmp_path / "bodies" / "data.parquet").is_file()
    n = duckdb.connect().execute(
        f"SELECT count(*) FROM read_parquet('{tmp_path / 'source_health'}/*/*.parquet')"
    )
    assert n.fetchall()[0][0] == 5  # four outlets and the dead one
