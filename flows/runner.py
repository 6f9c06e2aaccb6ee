"""Where a run's tasks execute: Prefect's thread pool in this process, or a Dask cluster.

``--dask`` (the flows' ``dask`` parameter) picks the runner; the flow code is the same for
both, it submits its tasks with ``runner.submit(task, parameters={...})`` and reads Prefect
futures:

- none (None or ""): ``prefect.task_runners.ThreadPoolTaskRunner``, tasks in threads of this
  process (extraction then uses its own process pool, ``gigawatch.extract``);
- ``local:N``: ``prefect_dask.DaskTaskRunner`` starting a ``distributed.LocalCluster`` of N
  worker processes on 127.0.0.1, one thread each, for the length of the run;
- an address such as ``tcp://host:8786`` (any scheme Dask knows): ``DaskTaskRunner`` on that
  running scheduler. Its workers must see the run folder and the taxonomy file at the same
  paths as this process (shared storage) and have gigawatch installed.

A bad spec is refused with :class:`RunnerError` before any work starts (:func:`parse_spec`),
and so is a scheduler that cannot be reached (:func:`open_runner` connects at once).
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

SPEC_ERROR = "--dask must be local:N or a scheduler address like tcp://host:8786"
CONNECT_TIMEOUT = 10.0  # seconds to reach a scheduler before the run gives up
SCHEMES = ("tcp", "tls", "inproc", "ucx", "ws", "wss")  # distributed.comm's backends


class RunnerError(ValueError):
    """A ``--dask`` spec that is not valid, or a Dask scheduler that cannot be reached."""


@dataclass(frozen=True)
class RunnerSpec:
    """A parsed ``--dask`` value: ``local_workers`` for a LocalCluster, ``address`` for a
    running scheduler, neither for the thread pool."""

    local_workers: int | None = None
    address: str | None = None

    @property
    def distributed(self) -> bool:
        return self.local_workers is not None or self.address is not None


def parse_spec(spec: str | None) -> RunnerSpec:
    """The runner a ``--dask`` value asks for; :class:`RunnerError` when it is not valid."""
    value = (spec or "").strip()
    if not value:
        return RunnerSpec()
    if value.startswith("local:"):
        count = value.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise RunnerError(f"{SPEC_ERROR} (N >= 1), not {spec!r}")
        return RunnerSpec(local_workers=int(count))
    scheme, sep, rest = value.partition("://")
    if not sep or scheme not in SCHEMES or not rest or "/" in rest:
        raise RunnerError(f"{SPEC_ERROR}, not {spec!r}")
    return RunnerSpec(address=value)


def is_distributed(spec: str | None) -> bool:
    """Whether tasks run on Dask workers (which then extract in their own process, not over
    a process pool of their own)."""
    return parse_spec(spec).distributed


@contextmanager
def open_runner(spec: str | None) -> Iterator[TaskRunner[Any]]:
    """A started task runner for ``spec`` (see the module's doc), shut down on exit; a Dask
    runner is connected before it is yielded, so a dead scheduler fails here, cleanly."""
    parsed = parse_spec(spec)
    if not parsed.distributed:
        threads: ThreadPoolTaskRunner[Any]
        with ThreadPoolTaskRunner() as threads:
            yield threads
        return
    from prefect_dask.task_runners import DaskTaskRunner

    from flows.dask_worker import SharedApiTls

    # the scheduler and nannies of a LocalCluster log here: at Prefect's level (WARNING for
    # the CLI unless --verbose), not at the INFO distributed sets when it is imported
    logging.getLogger("distributed").setLevel(logging.getLogger("prefect").getEffectiveLevel())
    if parsed.address is not None:
        runner = DaskTaskRunner(address=parsed.address,
                                client_kwargs={"timeout": CONNECT_TIMEOUT})  # fmt: skip
    else:
        runner = DaskTaskRunner(cluster_kwargs={
            "n_workers": parsed.local_workers, "threads_per_worker": 1, "processes": True,
            "host": "127.0.0.1", "dashboard_address": ":0",
        })  # fmt: skip
    with runner:
        try:
            runner.client  # noqa: B018  (connects, or starts the LocalCluster, now)
        except (OSError, TimeoutError) as exc:
            where = parsed.address or f"a LocalCluster of {parsed.local_workers}"
            raise RunnerError(f"cannot reach the Dask scheduler at {where}: {exc}") from exc
        runner.client.register_plugin(SharedApiTls(), name=SharedApiTls.name)
        try:
            yield runner
        finally:
            if parsed.local_workers is not None:
                with contextlib.suppress(Exception):
                    runner.client.run(_send_prefect_records)


def _send_prefect_records() -> None:
    """On a worker of a LocalCluster about to be closed: send the task runs' logs and events
    to the Prefect API now; left to the worker's exit they outlast the nanny's 4 s wait."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    def drain() -> None:  # in a thread: it waits for the services only outside an event loop
        for service in (APILogWorker, EventsWorker):
            service.drain_all(timeout=10)

    sender = threading.Thread(target=drain, daemon=True)
    sender.start()
    sender.join(20)


def on_dask(runner: TaskRunner[Any]) -> bool:
    """Whether ``runner`` (from :func:`open_runner`) runs tasks on Dask workers."""
    return not isinstance(runner, ThreadPoolTaskRunner)


def worker_slots(runner: TaskRunner[Any]) -> int:
    """How many tasks the runner runs at once: the Dask cluster's worker threads (at least
    1), or 1 for the thread pool (one batch extracted ahead, over its own process pool)."""
    if not on_dask(runner):
        return 1
    from prefect_dask.task_runners import DaskTaskRunner

    assert isinstance(runner, DaskTaskRunner)
    workers = runner.client.scheduler_info(n_workers=-1).get("workers", {})
    return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))


_seceded = threading.local()


def release_worker_slot() -> None:
    """Called by a long task that mostly waits (a crawl: its work is in a child process): on a
    Dask worker, leave the worker's thread pool so that the worker runs extraction batches
    meanwhile; elsewhere, nothing."""
    if "distributed" not in sys.modules:  # not on a Dask worker (and no import for nothing)
        return
    try:
        from dask.context import thread_state
        from distributed import get_worker, secede
    except ImportError:
        return
    try:
        get_worker()
    except ValueError:  # not on a Dask worker
        return
    key = getattr(thread_state, "key", None)
    if key is None or getattr(_seceded, "key", None) == key:
        return  # not a task thread, or left already (a retry of the same task)
    secede()  # type: ignore[no-untyped-call]
    _seceded.key = key
