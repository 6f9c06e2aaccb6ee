"""``gigawatch watch``: check a watches file, test a watch on the stored history, send digests.

Registered in :mod:`gigawatch.cli` as a sub-command; the evaluation after each ingest batch
is ``flows/watches.py``.
"""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from gigawatch.settings import DEFAULT_LOCK_TIMEOUT, DEFAULT_SOURCES, db_path

if TYPE_CHECKING:
    from collections.abc import Iterator

    import duckdb

    from gigawatch.watches.model import WatchesFile

EXIT_FAILED, EXIT_BAD_INPUT = 1, 2

watch_app = typer.Typer(
    help="Watches: saved searches that send alerts (check, test, digest).", no_args_is_help=True
)
console = Console(width=None if Console().is_terminal else 120, emoji=False)
err = Console(stderr=True, emoji=False)

WatchesOption = Annotated[
    Path | None,
    typer.Option(
        "--watches", help="Watches file (TOML) [default: the sources file's `watches` key]."
    ),
]
SourcesOption = Annotated[
    Path, typer.Option("--sources", help="Sources file (TOML).", show_default=True)
]
DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="DuckDB file [env GIGAWATCH_DB; default data/gigawatch.duckdb]."),
]


def _say(message: str) -> None:
    err.print(message, markup=False, highlight=False, soft_wrap=True)


def resolve(watches: Path | None, sources: Path) -> Path:
    """The watches file: ``--watches``, else the sources file's ``watches`` key; exit 2 when
    there is none."""
    from gigawatch.sources import SourcesError, load_sources
    from gigawatch.watches import watches_path

    from_sources = None
    if watches is None:
        try:
            from_sources = load_sources(sources).watches
        except SourcesError as exc:
            for problem in exc.problems:
                _say(f"{exc.path}: {problem}")
            raise typer.Exit(EXIT_BAD_INPUT) from None
    path = watches_path(watches, from_sources)
    if path is None:
        _say(f'no watches file: give --watches FILE or set watches = "…" in {sources}')
        raise typer.Exit(EXIT_BAD_INPUT)
    return path


def load_or_exit(path: Path) -> WatchesFile:
    """The validated watches file, or each problem on stderr and exit 2."""
    from gigawatch.config import ConfigError
    from gigawatch.watches import load_watches

    try:
        return load_watches(path)
    except ConfigError as exc:
        for problem in exc.problems:
            _say(problem)
        raise typer.Exit(EXIT_BAD_INPUT) from None


@contextmanager
def _reader(
    db: Path | None, parsed: WatchesFile, scratch: bool
) -> Iterator[duckdb.DuckDBPyConnection]:
    """The sandboxed reader of the warehouse; with ``scratch`` and no warehouse yet, of an
    empty one made for the occasion (so that a query is checked against the real views)."""
    from warehouse import db as wh
    from warehouse import schema, watch_store

    path = db_path(db)
    with tempfile.TemporaryDirectory(prefix="gigawatch-watch-") as tmp:
        if not path.exists() and scratch:
            path = Path(tmp) / "empty.duckdb"
            schema.ensure_schema(path)
        try:
            con = watch_store.open_reader(path, parsed.sql)
        except (FileNotFoundError, wh.WarehouseBusy) as exc:
            _say(str(exc))
            raise typer.Exit(EXIT_FAILED) from None
        try:
            yield con
        finally:
            con.close()


def sql_problems(path: Path, parsed: WatchesFile, db: Path | None) -> list[str]:
    """Each SQL watch that the sandbox refuses or DuckDB cannot bind, worded like the file's
    other problems."""
    import duckdb

    from warehouse import sandbox, watch_store

    out = []
    with _reader(db, parsed, scratch=True) as con:
        for i, w in enumerate(parsed.watch):
            if w.sql is None:
                continue
            try:
                with sandbox.deadline(con, parsed.sql.timeout):
                    watch_store.check_sql(con, w.sql)
            except (sandbox.SqlRefused, duckdb.Error) as exc:
                text = " ".join(str(exc).split())
                out.append(f"{path.name}: watch[{i}] {w.name!r}: sql: {text}")
    return out


@watch_app.command("check")
def check(
    watches: WatchesOption = None, sources: SourcesOption = DEFAULT_SOURCES, db: DbOption = None
) -> None:
    """Validate the watches file: keys, names (against the taxonomy and the sources file),
    Apprise URLs, and each SQL query in the sandbox. Sends nothing."""
    from gigawatch.output import rich_table
    from gigawatch.settings import taxonomy_path
    from gigawatch.sources import SourcesError, load_sources
    from gigawatch.taxonomy import load_taxonomy
    from gigawatch.watches.deliver import masked
    from gigawatch.watches.names import unknown_names

    path = resolve(watches, sources)
    parsed = load_or_exit(path)
    try:
        names = [s.name for s in load_sources(sources).sources]
    except SourcesError:
        names = None  # no sources file to check source names against
    problems = unknown_names(parsed, path, load_taxonomy(taxonomy_path()), names)
    problems += sql_problems(path, parsed, db)
    if problems:
        for problem in problems:
            _say(problem)
        raise typer.Exit(EXIT_BAD_INPUT)
    rows = [
        [w.name, w.kind, w.digest, "yes" if w.updates else "no",
         "\n".join(masked(u) for u in w.notify) or "(run artifact)", w.description]
        for w in parsed.watch
    ]  # fmt: skip
    console.print(rich_table(["watch", "kind", "digest", "updates", "notify", "description"],
                             rows, title=f"{path}: {len(rows)} watches, valid"))  # fmt: skip


@watch_app.command("test")
def test(
    name: Annotated[str, typer.Argument(help="The watch to try.")],
    watches: WatchesOption = None,
    sources: SourcesOption = DEFAULT_SOURCES,
    db: DbOption = None,
) -> None:
    """Show the stories of the stored history that the watch would fire on (oldest first).
    Sends and records nothing."""
    import duckdb

    from gigawatch.output import rich_table
    from gigawatch.watches.story import matches
    from warehouse import sandbox, watch_store

    parsed = load_or_exit(resolve(watches, sources))
    try:
        watch = parsed.named(name)
    except KeyError as exc:
        _say(str(exc.args[0]))
        raise typer.Exit(EXIT_BAD_INPUT) from None
    with _reader(db, parsed, scratch=False) as con:
        try:
            if watch.filter is not None:
                found = [s for s in watch_store.snapshots(con, None) if matches(watch.filter, s)]
            else:
                ids = watch_store.sql_stories(con, watch.sql or "", None, parsed.sql)
                found = watch_store.snapshots(con, ids)
        except (sandbox.SqlRefused, duckdb.Error) as exc:
            _say(" ".join(str(exc).split()))
            raise typer.Exit(EXIT_BAD_INPUT) from None
    rows = [
        [f"{s.first_seen:%Y-%m-%d}" if s.first_seen else "", s.story_id, s.headline,
         s.n_sources, ", ".join(s.figures())]
        for s in found
    ]  # fmt: skip
    title = f"watch {name}: would have fired on {len(rows)} stories"
    console.print(rich_table(["first seen", "story_id", "headline", "outlets", "figures"], rows,
                             title=title, limit=None))  # fmt: skip


@watch_app.command("digest")
def digest(
    watches: WatchesOption = None,
    sources: SourcesOption = DEFAULT_SOURCES,
    db: DbOption = None,
    watch: Annotated[str | None, typer.Option("--watch", help="Only this watch.")] = None,
    lock_timeout: Annotated[
        float, typer.Option(help="Seconds to wait for another process writing the database.")
    ] = DEFAULT_LOCK_TIMEOUT,
) -> None:
    """Send the digests that are due now: each closed day or week of a digest watch that
    holds stories and was not sent yet to every channel. A watch without notify URLs prints
    its digest here."""
    from flows.watches import send_due_digests
    from warehouse import db as wh

    parsed = load_or_exit(resolve(watches, sources))
    if watch is not None:
        try:
            parsed.named(watch)
        except KeyError as exc:
            _say(str(exc.args[0]))
            raise typer.Exit(EXIT_BAD_INPUT) from None
    run_id = f"cli-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    try:
        done = send_due_digests(db_path(db), parsed, run_id, lock_timeout, fallback="terminal",
                                only=watch, log=_say)  # fmt: skip
    except (FileNotFoundError, wh.WarehouseBusy) as exc:
        _say(str(exc))
        raise typer.Exit(EXIT_FAILED) from None
    quiet = {w.name for w in parsed.watch if w.notify}
    for name, message in done.digests:
        if name not in quiet:  # no channel: the digest is shown here
            console.print(f"{message.title}\n\n{message.markdown}\n", markup=False,
                          highlight=False)  # fmt: skip
    for name, kind, _, where in done.events:
        console.print(f"{name}: {kind} → {where}", markup=False, highlight=False)
    if not done.events:
        console.print("No digest due.")
    if done.failed:
        _say(f"{done.failed} deliveries failed; see `gigawatch query \"SELECT * FROM alerts "
             "WHERE NOT delivered\"`")  # fmt: skip
        raise typer.Exit(EXIT_FAILED)
