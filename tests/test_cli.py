"""The CLI: every command has help and is documented; query formats and errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from gigawatch.cli import EXIT_BAD_INPUT, app

README = Path(__file__).resolve().parents[1] / "README.md"


def _commands() -> list[list[str]]:
    root = typer.main.get_command(app)
    found: list[list[str]] = []

    def walk(cmd, path: list[str]) -> None:  # noqa: ANN001 - typer's own click types
        if getattr(cmd, "commands", None):
            for name, sub in cmd.commands.items():
                walk(sub, [*path, name])
        else:
            found.append(path)

    walk(root, [])
    return found


def test_every_command_has_help_and_is_in_the_readme():
    readme = README.read_text(encoding="utf-8")
    runner = CliRunner()
    commands = _commands()
    assert ["run"] in commands and ["query"] in commands and ["sources", "check"] in commands
    for path in commands:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Usage" in result.output
        assert f"gigawatch {' '.join(path)}" in readme, f"README does not document {path}"


def test_query_table_csv_json(ingested):
    db = str(ingested["db"])
    runner = CliRunner()
    sql = "SELECT source, count(*) AS n FROM articles GROUP BY source ORDER BY source"
    table = runner.invoke(app, ["query", "--db", db, sql])
    assert table.exit_code == 0 and "courrier" in table.output
    as_csv = runner.invoke(app, ["query", "--db", db, "--format", "csv", sql])
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert [r["source"] for r in rows] == sorted(r["source"] for r in rows)
    assert all(int(r["n"]) > 0 for r in rows)
    as_json = runner.invoke(app, ["query", "--db", db, "-f", "json", sql])
    assert json.loads(as_json.output) == [{"source": r["source"], "n": int(r["n"])} for r in rows]


def test_query_sql_error_prints_duckdb_message_and_exits_2(ingested):
    proc = subprocess.run(
        [sys.executable, "-m", "gigawatch.cli", "query", "--db", str(ingested["db"]),
         "SELECT nope FROM articles"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == EXIT_BAD_INPUT
    assert proc.stdout == ""
    assert proc.stderr.startswith("Binder Error")
    assert "nope" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_query_is_read_only(ingested):
    result = CliRunner().invoke(
        app, ["query", "--db", str(ingested["db"]), "DELETE FROM documents"]
    )
    assert result.exit_code == EXIT_BAD_INPUT
    assert "read-only" in result.output.lower()
