"""What a Dask worker sets up once for the Prefect tasks it runs (a worker plugin that
:func:`flows.runner.open_runner` registers on the cluster, so new workers get it too)."""

from __future__ import annotations

import functools
import ssl
import types
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin


class SharedApiTls(WorkerPlugin):
    """On each Dask worker: one SSL context for Prefect's API clients. A Prefect task run on
    a worker builds two API clients, and each loaded the CA bundle into a new SSL context:
    ~45 % of the ~300 ms a task took to start (a py-spy profile; bench/bench_dask.py
    measures the overhead). The context for
    a given CA file is built once per worker and shared (httpx only reads it); Prefect's
    other SSL contexts, and every other library's, are left as they are."""

    name = "gigawatch-shared-api-tls"

    def setup(self, worker: Any) -> None:
        share_api_tls_context()


def share_api_tls_context() -> None:
    """Make ``prefect.client.orchestration`` build its verified SSL context once per CA
    file in this process (see :class:`SharedApiTls`); calling it again does nothing."""
    from prefect.client import orchestration

    if not isinstance(orchestration.ssl, types.ModuleType):
        return  # shared already

    @functools.lru_cache(maxsize=8)
    def verified(cafile: str) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=cafile)

    def create_default_context(
        purpose: ssl.Purpose = ssl.Purpose.SERVER_AUTH,
        *,
        cafile: str | None = None,
        capath: str | None = None,
        cadata: str | bytes | None = None,
    ) -> ssl.SSLContext:
        if cafile and capath is None and cadata is None and purpose == ssl.Purpose.SERVER_AUTH:
            return verified(str(cafile))
        # without a CA file Prefect turns verification off on the context it gets: a new one
        return ssl.create_default_context(purpose, cafile=cafile, capath=capath, cadata=cadata)

    shim = types.SimpleNamespace(**{k: getattr(ssl, k) for k in dir(ssl) if not k.startswith("__")})
    shim.create_default_context = create_default_context
    orchestration.ssl = shim  # type: ignore[assignment]
