"""``gigawatch lake``: the Parquet lake behind a catalogue: sync, compact, status.

Registered in :mod:`gigawatch.cli` as a sub-command. Runs write to a lake with ``gigawatch run
--lake URL`` (``warehouse/lake.py``); the catalogue (``--db``) folds what they committed
(``warehouse/lake_catalog.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from gigawatch.settings import DEFAULT_LOCK_TIMEOUT, db_path

EXIT_FAILED, EXIT_BAD_INPUT = 1, 2

lake_app = typer.Typer(
    help="The Parquet lake behind a catalogue: fold new batches (sync), merge small files "
    "(compact), status.",
    no_args_is_help=True,
)
console = Console(width=None if Console().is_terminal else 120, emoji=False)
err = Console(stderr=True, emoji=False)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="The lake's catalogue, a DuckDB file (env GIGAWATCH_DB; default "
        "data/gigawatch.duckdb).",
    ),
]
LakeOption = Annotated[
    str | None,
    typer.Option(
        "--lake",
        help="Lake URL (a folder, file://..., s3://bucket/prefix); with sync, makes a new --db "
        "its catalogue (default: the lake the catalogue records).",
    ),
]
LockOption = Annotated[
    float,
    typer.Option("--lock-timeout", help="Seconds to wait for a catalogue another process holds."),
]


def _say(message: str) -> None:
    err.print(message, markup=False, highlight=False, soft_wrap=True)


def _lake_of(db: Path, lake: str | None) -> str:
    """The lake of ``db`` (``--lake`` if given); exit 2 when there is none."""
    from warehouse import db as wh
    from warehouse.lake_fs import lake_of

    if lake is not None:
        return lake
    if not db.exists():
        _say(f"no catalogue at {db}: give --lake URL (and --db for its catalogue)")
        raise typer.Exit(EXIT_BAD_INPUT)
    con = wh.connect(db, read_only=True)
    try:
        url = lake_of(con)
    finally:
        con.close()
    if url is None:
        _say(f"{db} is a single-file warehouse, not the catalogue of a lake: give --lake URL")
        raise typer.Exit(EXIT_BAD_INPUT)
    return url


@lake_app.command()
def sync(
    db: DbOption = None,
    lake: LakeOption = None,
    lock_timeout: LockOption = DEFAULT_LOCK_TIMEOUT,
) -> None:
    """Fold the batches committed to the lake since the last sync into the catalogue, in
    commit order: their rows become visible, with their duplicates, stories and trend rows."""
    from warehouse.lake import prepare
    from warehouse.lake_catalog import sync as sync_catalogue
    from warehouse.lake_fs import LakeError

    path = db_path(db)
    try:
        url = prepare(path, _lake_of(path, lake) if lake is None else lake, lock_timeout)
        synced = sync_catalogue(path, lock_timeout)
    except LakeError as exc:
        _say(str(exc))
        raise typer.Exit(EXIT_BAD_INPUT) from None
    console.print(
        f"{len(synced.batches)} batches folded from {url}, {synced.articles} articles.",
        markup=False, highlight=False,
    )  # fmt: skip


@lake_app.command()
def compact(
    db: DbOption = None,
    lake: LakeOption = None,
    min_files: Annotated[
        int, typer.Option("--min-files", min=2, help="Merge a day's files from this many.")
    ] = 2,
) -> None:
    """Merge the small files of each table's day partition into one Parquet file, atomically:
    no query answers differently, before, during or after."""
    from gigawatch.output import rich_table
    from warehouse.lake import compact as compact_lake

    url = _lake_of(db_path(db), lake)
    done = compact_lake(url, min_files=min_files)
    if not done:
        console.print(f"Nothing to compact in {url}.", markup=False, highlight=False)
        return
    rows = [[c.table, c.day, c.files, c.rows] for c in done]
    console.print(rich_table(["table", "day", "files merged", "rows"], rows,
                             title=f"Compacted {url}"))  # fmt: skip


@lake_app.command()
def status(db: DbOption = None) -> None:
    """The lake a catalogue reads, what it has folded, and what is committed but not synced."""
    from warehouse import db as wh
    from warehouse.lake_catalog import status as lake_status
    from warehouse.lake_fs import LakeError

    path = db_path(db)
    _lake_of(path, None)  # exits 2 without a catalogue
    con = wh.connect(path, read_only=True)
    try:
        state = lake_status(con)
    except LakeError as exc:
        _say(str(exc))
        raise typer.Exit(EXIT_BAD_INPUT) from None
    finally:
        con.close()
    for key, value in state.items():
        console.print(f"{key}: {value}", markup=False, highlight=False)
