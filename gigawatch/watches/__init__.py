"""Watches: saved searches over stories that send alerts and digests (``watches.toml``).

The pure parts live here: the file's schema and loading (:mod:`.model`), a story as a watch
sees it and whether a filter matches it (:mod:`.story`), names checked against the taxonomy
(:mod:`.names`), digest periods (:mod:`.periods`), the messages (:mod:`.render`) and sending
one through Apprise (:mod:`.deliver`). Reading stories and recording alerts is
``warehouse/watch_store.py``; evaluating after each stored batch is ``flows/watches.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from gigawatch.config import ConfigError, read_toml, validate
from gigawatch.watches.model import Watch, WatchesFile, WatchFilter

__all__ = ["ConfigError", "Watch", "WatchFilter", "WatchesFile", "load_watches", "watches_path"]


def load_watches(path: Path | str) -> WatchesFile:
    """Read and validate a watches file; ConfigError lists every problem, one per line."""
    return cast(WatchesFile, validate(WatchesFile, path, read_toml(path)))


def watches_path(override: str | Path | None, from_sources: str | None) -> Path | None:
    """The watches file of a run: ``--watches``, else the sources file's ``watches`` key."""
    if override:
        return Path(override)
    return Path(from_sources) if from_sources else None
