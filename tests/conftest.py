"""Shared fixtures: the demo site on 127.0.0.1, a Prefect test harness, and one ingested DB.

The ingest of the demo site is done once per session and shared by read-only tests; tests
that change a database make their own.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

from gigawatch.demo.server import DemoSite  # noqa: E402
from gigawatch.demo.sources import sources_toml  # noqa: E402
from warehouse import db as wh  # noqa: E402
from warehouse import schema  # noqa: E402

MANIFEST = Path(__file__).resolve().parents[1] / "gigawatch" / "demo" / "site" / "manifest.toml"


# A test that uses one of these fixtures (directly or through another fixture) is end-to-end;
# modules that start servers or subprocesses on their own say so with ``pytestmark``.
E2E_FIXTURES = {"prefect_harness", "demo_site", "demo_sources", "ingested", "ro"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def manifest() -> list[dict[str, Any]]:
    data = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
    return data["article"]


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def demo_site() -> Iterator[DemoSite]:
    with DemoSite() as site:
        yield site


@pytest.fixture(scope="session")
def demo_sources(demo_site: DemoSite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "sources.toml"
    path.write_text(sources_toml(demo_site, with_dead_source=True), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def ingested(
    prefect_harness: None, demo_sources: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The demo site ingested once: {'db': Path, 'summary': dict}."""
    from flows.ingest import ingest

    db = tmp_path_factory.mktemp("warehouse") / "demo.duckdb"
    summary = ingest(sources=str(demo_sources), db=str(db))
    return {"db": db, "summary": summary}


@pytest.fixture
def ro(ingested: dict[str, Any]):
    """A read-only connection to the shared ingested database."""
    from warehouse import db as wh

    con = wh.connect(ingested["db"], read_only=True)
    yield con
    con.close()


@pytest.fixture
def con(tmp_path: Path):
    """A connection to a new, empty warehouse file, ``tmp_path / "fixtures.duckdb"``."""
    db = tmp_path / "fixtures.duckdb"
    schema.ensure_schema(db)
    con = wh.connect(db)
    yield con
    con.close()
