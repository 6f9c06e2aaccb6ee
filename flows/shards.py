"""A run's crawl in shards: groups of sources, each crawled by its own ``scrapy crawl`` child.

Shards go through the run's task runner (``flows.runner``): in threads of the flow's process,
or on Dask workers. Either way the flow follows each shard's spool in the shard's folder, so
that folder (the run folder) must be on storage the workers share with the flow for a remote
cluster. What passes between the flow and a shard is a file, never a Python object: the stop
flag (the flow gave up on the run) and the attempt counter (a retried crawl starts its spool
again from the top) both work across processes and machines.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gigawatch.crawl import SpoolReader


def assign(names: list[str], shards: int) -> list[list[str]]:
    """Sources in ``shards`` groups, deterministically: sorted names dealt round-robin; never
    more groups than names (and at least one)."""
    ordered = sorted(names)
    count = max(1, min(shards, len(ordered)))
    return [ordered[i::count] for i in range(count)]


@dataclass(frozen=True)
class FileFlag:
    """A flag any process that sees ``path`` can set and read (``threading.Event``'s
    ``is_set``/``set``): the flow sets it to stop a shard's crawl."""

    path: Path

    def set(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.touch()

    def is_set(self) -> bool:
        return self.path.exists()


@dataclass(frozen=True)
class AttemptCounter:
    """``run_crawl``'s ``on_spool``: each attempt of a shard's crawl counts itself in ``path``
    (written whole, with a rename) before its spool is written."""

    path: Path

    def __call__(self, spool: Path) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(str(self.read() + 1), encoding="utf-8")
        os.replace(tmp, self.path)

    def read(self) -> int:
        try:
            return int(self.path.read_text(encoding="utf-8") or 0)
        except FileNotFoundError:
            return 0


@dataclass
class Shard:
    """One shard as the flow sees it: its sources, its folder, and its spool followed from the
    top of the current attempt."""

    index: int
    sources: list[str]
    folder: Path
    stop: FileFlag = field(init=False)
    attempts: AttemptCounter = field(init=False)
    _reader: SpoolReader = field(init=False)
    _attempt: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.stop = FileFlag(self.folder / "stop")
        self.attempts = AttemptCounter(self.folder / "attempt")
        self.stop.path.unlink(missing_ok=True)
        self.attempts.path.unlink(missing_ok=True)
        self._reader = SpoolReader(self.spool)

    @property
    def spool(self) -> Path:
        return self.folder / "pages.jsonl"

    def read(self) -> list[dict[str, Any]]:
        """The items written since the last read. A new attempt (the counter moved) starts
        from the top of its spool; what was read while it moved is dropped, since the new
        attempt writes it again."""
        before = self.attempts.read()
        if before != self._attempt:
            self._reader.switch(self.spool)
            self._attempt = before
        items = self._reader.read()
        after = self.attempts.read()
        if after != before:
            self._reader.switch(self.spool)
            self._attempt = after
            return []
        return items

    def cleanup(self) -> None:
        """The spool and the flags go once the run is over; the crawl log stays."""
        for path in (self.spool, self.stop.path, self.attempts.path):
            path.unlink(missing_ok=True)
