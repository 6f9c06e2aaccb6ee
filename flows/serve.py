"""Serve gigawatch's flows with their schedules in this process: ``gigawatch serve``.

The same deployments as ``prefect.yaml``. Schedules need a Prefect server's scheduler: when no
``PREFECT_API_URL`` is configured, a local server is started for the lifetime of the command
(``prefect server start`` on 127.0.0.1, no UI), so nothing has to be set up beforehand.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import timedelta

from prefect import serve
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.backfill import backfill
from flows.ingest import ingest

DEFAULT_CRON = "0 * * * *"  # hourly, on the hour, UTC


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def local_server(scheduler_seconds: float = 10.0, timeout: float = 120.0) -> Iterator[str]:
    """A Prefect server with its scheduler on 127.0.0.1 for as long as the block runs."""
    port = _free_port()
    env = {
        **os.environ,
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": str(scheduler_seconds),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
    }
    env.pop("PREFECT_API_URL", None)
    cmd = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
           "--port", str(port), "--no-ui", "--analytics-off"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"could not start a local Prefect server on port {port}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def serve_flows(
    sources: str,
    db: str | None,
    cron: str = DEFAULT_CRON,
    interval_seconds: float | None = None,
) -> None:
    """Run until interrupted: ``ingest`` on its schedule, ``backfill`` when asked for."""
    schedule: dict = (
        {"interval": timedelta(seconds=interval_seconds)} if interval_seconds else {"cron": cron}
    )
    common = {"sources": sources, "db": db}
    deployments = [
        ingest.to_deployment(
            name="ingest-hourly",
            parameters=common,
            concurrency_limit=1,
            description="Crawl the configured sources and load what is new.",
            **schedule,
        ),
        backfill.to_deployment(
            name="backfill",
            parameters=common,
            concurrency_limit=1,
            description="Collect the articles of a past window (run by hand with since/until).",
        ),
    ]
    if PREFECT_API_URL.value():
        server = nullcontext(None)
    else:
        seconds = min(10.0, interval_seconds or 10.0)
        server = local_server(scheduler_seconds=seconds)
    with server as url:
        settings = temporary_settings({PREFECT_API_URL: url}) if url else nullcontext()
        with settings:
            serve(*deployments, print_starting_message=True)
