"""A tiny hook so the CLI can draw progress for work done inside flows and tasks.

Flows stay plain functions; the CLI installs a reporter, tests and Prefect workers don't.
"""

from __future__ import annotations

from collections.abc import Callable

Reporter = Callable[[str, int, int | None], None]  # (stage, done, total)
_reporter: Reporter | None = None


def set_reporter(reporter: Reporter | None) -> None:
    global _reporter
    _reporter = reporter


def report(stage: str, done: int, total: int | None = None) -> None:
    if _reporter is not None:
        _reporter(stage, done, total)
