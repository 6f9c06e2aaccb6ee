"""What a new user trips on (issue 14): a second `gigawatch demo`, the run summary's duplicates,
Prefect's telemetry notice. Real subprocesses, a real crawl of the demo site, real DuckDB.
"""

from __future__ import annotations

import os
import pty
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from flows.ingest import ingest
from gigawatch.demo import OUTLETS
from gigawatch.demo.server import DemoSite, stable_ports
from gigawatch.demo.sources import sources_toml
from warehouse import db as wh

GIGAWATCH = [str(Path(sys.executable).with_name("gigawatch"))]
CI_VARS = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "CI_NAME", "TF_BUILD")


def _count(db: Path, sql: str) -> int:
    con = wh.connect(db, read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def _free_first_port() -> int:
    """A first port with len(OUTLETS) consecutive free ports after it."""
    for first in range(20000 + os.getpid() % 20000, 60000, 17):
        socks = []
        try:
            for i in range(len(OUTLETS)):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", first + i))
            return first
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free port range")


def test_a_busy_stable_port_falls_back_to_a_free_one():
    first = _free_first_port()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", first + 1))
        busy.listen()
        with DemoSite(ports=stable_ports(first), fallback=True) as site:
            assert site.port(OUTLETS[0]) == first
            assert site.port(OUTLETS[1]) != first + 1
            assert site.moved == [OUTLETS[1]]


def test_a_second_demo_run_adds_nothing(tmp_path):
    db = tmp_path / "demo.duckdb"
    port = str(_free_first_port())
    runs = [
        subprocess.run(
            [*GIGAWATCH, "demo", "--db", str(db), "--port", port],
            capture_output=True,
            text=True,
            timeout=600,
        )
        for _ in range(2)
    ]
    first, second = runs
    assert "48 new articles." in first.stdout, first.stdout + first.stderr
    assert f"http://127.0.0.1:{port}" in second.stdout
    assert "Nothing new: no article was added." in second.stdout, second.stdout + second.stderr
    assert _count(db, "SELECT count(*) FROM documents") == 48


def test_summary_duplicates_are_what_the_warehouse_recorded(
    prefect_harness, ingested: dict[str, Any], tmp_path
):
    """The demo again on other ports: 48 new URLs, each a copy of a stored article."""
    db = tmp_path / "w.duckdb"
    shutil.copyfile(ingested["db"], db)
    dup_sql = "SELECT count(duplicate_of) FROM article_dedupe"
    before = _count(db, dup_sql)
    assert before == sum(r["duplicates"] for r in ingested["summary"]["sources"])
    with DemoSite() as other:
        sources = tmp_path / "s.toml"
        sources.write_text(sources_toml(other), encoding="utf-8")
        summary = ingest(sources=str(sources), db=str(db))
    assert summary["articles_new"] == 48
    recorded = _count(db, dup_sql) - before
    assert recorded == 48
    assert sum(r["duplicates"] for r in summary["sources"]) == recorded
    runs_view = _count(db, f"SELECT sum(duplicates) FROM runs WHERE run_id = '{summary['run_id']}'")
    assert runs_view == recorded


def _on_a_terminal(cmd: list[str], env: dict[str, str]) -> str:
    """stdout+stderr of ``cmd`` run on a pseudo-terminal (Prefect's notice needs a TTY)."""
    main, sub = pty.openpty()
    proc = subprocess.Popen(cmd, stdout=sub, stderr=sub, stdin=subprocess.DEVNULL, env=env)
    os.close(sub)
    out = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(main)
    text = out.decode(errors="replace")
    assert proc.wait(timeout=600) in (0, 3), text[-3000:]
    return text


def test_run_prints_no_telemetry_notice(demo_sources: Path, tmp_path):
    # A new user's environment: no DO_NOT_TRACK, not CI, a fresh Prefect home, a terminal.
    env = {k: v for k, v in os.environ.items() if k not in ("DO_NOT_TRACK", *CI_VARS)}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    env.pop("PREFECT_API_URL", None)
    # Without gigawatch, Prefect shows the notice in exactly this environment.
    control = _on_a_terminal([sys.executable, "-c", "import prefect"], env)
    assert "anonymous usage" in control
    shutil.rmtree(tmp_path / "prefect-home")
    cmd = [*GIGAWATCH, "run", "--sources", str(demo_sources), "--db", str(tmp_path / "w.duckdb")]
    out = _on_a_terminal(cmd, env)
    assert "new articles." in out
    assert "anonymous usage" not in out
    piped = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert "anonymous usage" not in piped.stdout + piped.stderr
