"""prefect.yaml is accepted by `prefect deploy --all`, and `gigawatch serve` keeps running
scheduled ingests in one process."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.sitekit import FixtureSite

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _prefect(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "prefect"), "--no-prompt", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_prefect_deploy_all_accepts_the_deployments(prefect_harness):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value()),
           "GIGAWATCH_HOME": str(ROOT)}  # fmt: skip
    pool = _prefect(["work-pool", "create", "gigawatch", "--type", "process"], env)
    assert pool.returncode == 0 or "already exists" in pool.stdout, pool.stdout + pool.stderr
    deployed = _prefect(["deploy", "--all"], env)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr

    async def read() -> dict:
        async with get_client() as client:
            found = await client.read_deployments()
            return {d.name: d for d in found}

    deployments = asyncio.run(read())
    assert {"ingest-hourly", "backfill", "retag", "restory"} <= set(deployments)
    ingest = deployments["ingest-hourly"]
    assert ingest.work_pool_name == "gigawatch"
    cron = ingest.schedules[0].schedule
    assert cron.cron == "0 * * * *" and cron.timezone == "UTC"
    assert deployments["backfill"].schedules == []
    assert ingest.global_concurrency_limit.limit == 1


@pytest.mark.e2e  # a `gigawatch serve` subprocess with its own Prefect server
def test_serve_runs_the_ingest_schedule_again_and_again(tmp_path):
    with FixtureSite() as site:
        for i in range(3):
            site.add_article(f"served-{i}", date(2025, 10, 1 + i), i)
        site.publish_feed()
        sources = tmp_path / "s.toml"
        sources.write_text(site.sources(), encoding="utf-8")
        db = tmp_path / "served.duckdb"
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        proc = subprocess.Popen(
            [str(BIN / "gigawatch"), "serve", "--sources", str(sources), "--db", str(db),
             "--interval", "4"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        runs: list[tuple] = []
        try:
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline and proc.poll() is None:
                time.sleep(2)
                try:
                    con = duckdb.connect(str(db), read_only=True)
                    runs = con.execute(
                        "SELECT status FROM flow_runs "
                        "WHERE flow = 'ingest' AND status = 'completed'"
                    ).fetchall()
                    con.close()
                except duckdb.Error:
                    continue
                if len(runs) >= 3:
                    break
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        finally:
            proc.terminate()
            proc.wait(timeout=60)
        assert len(runs) >= 3
        con = duckdb.connect(str(db), read_only=True)
        assert con.execute("SELECT count(*) FROM documents").fetchone() == (3,)


def test_serve_builds_its_deployments_from_prefect_yaml():
    import yaml

    from flows.serve import SERVED, deployments

    declared = {d["name"]: d for d in yaml.safe_load((ROOT / "prefect.yaml").read_text())[
        "deployments"]}  # fmt: skip
    built = {d.name: d for d in deployments("s.toml", "w.duckdb")}
    assert set(built) == set(SERVED) <= set(declared)
    for name, deployment in built.items():
        assert deployment.description == declared[name]["description"]
        assert deployment.parameters == {"sources": "s.toml", "db": "w.duckdb", "dask": None}
        assert declared[name]["parameters"]["dask"] is None  # in this process unless set
        assert deployment.concurrency_limit == 1
    assert [s.schedule.cron for s in built["ingest-hourly"].schedules] == [
        s["cron"] for s in declared["ingest-hourly"]["schedules"]
    ]
    assert built["backfill"].schedules == []
    cron = deployments("s.toml", None, cron="*/5 * * * *")[0].schedules[0].schedule
    assert (cron.cron, cron.timezone) == ("*/5 * * * *", "UTC")
    every = deployments("s.toml", None, interval_seconds=4)[0].schedules[0].schedule
    assert every.interval.total_seconds() == 4
