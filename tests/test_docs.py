"""The docs say where things are: every module is on the architecture page, every migration in
the conventions, every view in the README (as sqlite-utils checks that every command is
documented)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARCHITECTURE = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
CONVENTIONS = (ROOT / "docs" / "CONVENTIONS.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _modules() -> list[str]:
    """Module names as the architecture page writes them: ``urls``, ``dedupe/``, ``spiders/news``
    (a subpackage of gigawatch is named once, with its slash)."""
    names: set[str] = set()
    for package in ("gigawatch", "warehouse", "flows", "spiders"):
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT / package)
            if rel.parts[0] == "demo" or path.name == "__init__.py" and len(rel.parts) == 1:
                continue
            if len(rel.parts) > 1 and package == "gigawatch":
                names.add(f"{rel.parts[0]}/")  # a subpackage: dedupe/, quantities/
            elif path.name != "__init__.py":
                names.add(rel.with_suffix("").as_posix())
    return sorted(names)


@pytest.mark.parametrize("module", _modules())
def test_every_module_is_on_the_architecture_page(module):
    assert f"`{module}`" in ARCHITECTURE or f"`{module.rstrip('/')}`" in ARCHITECTURE, module


@pytest.mark.parametrize(
    "migration", sorted(p.name for p in (ROOT / "warehouse" / "migrations").glob("*.sql"))
)
def test_every_migration_is_in_the_conventions(migration):
    number, name = re.match(r"(\d{4})_(.+)\.sql", migration).groups()  # type: ignore[union-attr]
    assert number in CONVENTIONS, migration


@pytest.mark.parametrize(
    "view",
    sorted(
        name
        for p in (ROOT / "warehouse" / "views").glob("*.sql")
        for name in re.findall(r"CREATE OR REPLACE VIEW (\w+)", p.read_text(encoding="utf-8"))
    ),
)
def test_every_public_view_is_in_the_readme(view):
    assert f"`{view}`" in README, view
