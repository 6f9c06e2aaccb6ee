"""Serve gigawatch's flows with their schedules in this process: ``gigawatch serve``.

The deployments are the ones declared in ``prefect.yaml`` (name, flow, description, parameters,
schedule, concurrency limit and tags are read from it, so each exists once); ``serve`` runs
those named in ``SERVED``, with the sources file and database given on the command line, and
``--cron`` or ``--interval`` replacing the ingest schedule.

Schedules need a Prefect server's scheduler: when no ``PREFECT_API_URL`` is configured, a local
server is started for the lifetime of the command (``prefect server start`` on 127.0.0.1, no
UI), so nothing has to be set up beforehand; its address is recorded
(``gigawatch.local_prefect``) so that ``gigawatch run`` uses it instead of starting its own.
"""

from __future__ import annotations

import importlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from prefect import Flow, serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig
from prefect.schedules import Cron
from prefect.settings import PREFECT_API_URL, temporary_settings

from gigawatch import local_prefect

PREFECT_YAML = Path(__file__).resolve().parents[1] / "prefect.yaml"
INGEST = "ingest-hourly"  # the deployment whose schedule --cron and --interval replace
SERVED = (INGEST, "backfill")


def declared(path: Path = PREFECT_YAML) -> dict[str, dict[str, Any]]:
    """The deployments of ``prefect.yaml`` by name."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {entry["name"]: entry for entry in data["deployments"]}


def _flow(entrypoint: str) -> Flow:
    """``flows/ingest.py:ingest`` -> the flow object ``flows.ingest.ingest``."""
    file, name = entrypoint.split(":")
    return getattr(importlib.import_module(file.removesuffix(".py").replace("/", ".")), name)


def deployments(
    sources: str,
    db: str | None,
    cron: str | None = None,
    interval_seconds: float | None = None,
    names: tuple[str, ...] = SERVED,
) -> list[Any]:
    """The deployments ``names`` as declared in ``prefect.yaml``, ready for ``prefect.serve``:
    ``sources`` and ``db`` go to every flow taking them; ``cron`` or ``interval_seconds``
    replace the ingest schedule."""
    entries = declared()
    out = []
    for name in names:
        entry = entries[name]
        flow = _flow(entry["entrypoint"])
        accepted = flow.parameters.properties
        parameters = dict(entry.get("parameters") or {})
        parameters.update({k: v for k, v in (("sources", sources), ("db", db)) if k in accepted})
        schedule: dict[str, Any] = {}
        if name == INGEST and interval_seconds:
            schedule = {"interval": timedelta(seconds=interval_seconds)}
        elif name == INGEST and cron:
            schedule = {"schedules": [Cron(cron, timezone="UTC")]}
        elif entry.get("schedules"):
            schedule = {"schedules": [Cron(s["cron"], timezone=s.get("timezone", "UTC"))
                                      for s in entry["schedules"]]}  # fmt: skip
        limit = entry.get("concurrency_limit")
        out.append(
            flow.to_deployment(
                name=name,
                description=entry.get("description"),
                parameters=parameters,
                tags=entry.get("tags"),
                concurrency_limit=ConcurrencyLimitConfig(**limit) if limit else None,
                **schedule,
            )
        )
    return out


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
        local_prefect.record(url, proc.pid)  # `gigawatch run` uses it while it is up
        yield url
    finally:
        local_prefect.forget(url)
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def serve_flows(
    sources: str,
    db: str | None,
    cron: str | None = None,
    interval_seconds: float | None = None,
) -> None:
    """Run until interrupted: ``ingest`` on its schedule (``prefect.yaml``'s, or ``cron``, or
    every ``interval_seconds``), ``backfill`` when asked for."""
    served = deployments(sources, db, cron, interval_seconds)
    if PREFECT_API_URL.value():
        server = nullcontext(None)
    else:
        seconds = min(10.0, interval_seconds or 10.0)
        server = local_server(scheduler_seconds=seconds)
    with server as url:
        settings = temporary_settings({PREFECT_API_URL: url}) if url else nullcontext()
        with settings:
            serve(*served, print_starting_message=True)
