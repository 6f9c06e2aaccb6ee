"""Find a Prefect server already running on this machine, so that a run need not start one.

With no ``PREFECT_API_URL``, Prefect starts a temporary server for every ``gigawatch run`` (10
to 15 s here, most of a run that finds nothing new). ``gigawatch serve`` keeps a server up and
records its address in ``$PREFECT_HOME/gigawatch-server.json`` (:func:`record`);
:func:`find` returns that address when the server answers, else the address of a server
started with ``prefect server start`` on its default port (``DEFAULT_URL``) when one answers
there, else None. Nothing here imports Prefect: the CLI asks before Prefect reads its settings.
"""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

DEFAULT_URL = "http://127.0.0.1:4200/api"  # `prefect server start`'s default address
TIMEOUT = 0.5  # seconds a health check may take: a server that slow is not used


def state_file() -> Path:
    """Where ``gigawatch serve`` records its server: ``$PREFECT_HOME`` (Prefect's own folder,
    ``~/.prefect`` by default)."""
    home = os.environ.get("PREFECT_HOME") or "~/.prefect"
    return Path(home).expanduser() / "gigawatch-server.json"


def record(url: str, pid: int) -> None:
    """Note the server that ``gigawatch serve`` started (``url`` ends with ``/api``)."""
    path = state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"url": url, "pid": pid}), encoding="utf-8")
    tmp.replace(path)


def forget(url: str) -> None:
    """Remove the record of ``url`` (when its server stops); another server's record stays."""
    path = state_file()
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("url") == url:
            path.unlink()
    except (OSError, ValueError, AttributeError):
        pass


def healthy(url: str, timeout: float = TIMEOUT) -> bool:
    """Whether the Prefect API at ``url`` answers its health check within ``timeout``."""
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/health", timeout=timeout) as answer:
            return bool(answer.status == 200)
    except (OSError, ValueError):
        return False


def find() -> str | None:
    """The API address of a running local Prefect server, or None."""
    try:
        data = json.loads(state_file().read_text(encoding="utf-8"))
        recorded = data.get("url") if isinstance(data, dict) else None
    except (OSError, ValueError):
        recorded = None
    for url in (recorded, DEFAULT_URL):
        if isinstance(url, str) and healthy(url):
            return url
    return None
