"""The ``gigawatch`` command: a thin layer over the library and the Prefect flows.

Exit status: 0 success, 1 failure, 2 bad input (SQL, sources file, options), 3 partial run
(some pages or sources failed; everything else was stored).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

from gigawatch import __version__
from gigawatch.cli_lake import lake_app
from gigawatch.cli_taxonomy import taxonomy_app
from gigawatch.cli_watch import watch_app
from gigawatch.demo import DEMO_PORT
from gigawatch.settings import (
    DASK_BATCH_SIZE,
    DEFAULT_BATCH_SIZE,
    DEFAULT_LOCK_TIMEOUT,
    DEFAULT_SOURCES,
    db_path,
)

if TYPE_CHECKING:
    from gigawatch.sources import SourcesConfig

EXIT_FAILED, EXIT_BAD_INPUT, EXIT_PARTIAL = 1, 2, 3


def _process_started() -> float:
    """When this process started (epoch seconds; Linux /proc), else now."""
    try:
        with open("/proc/self/stat", "rb") as f:
            ticks = int(f.read().rsplit(b")", 1)[1].split()[19])
        with open("/proc/uptime", "rb") as f:
            uptime = float(f.read().split()[0])
        return time.time() - (uptime - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return time.time()


STARTED = _process_started()  # the start-up line of a run counts from here

app = typer.Typer(
    help="gigawatch: an SQL-first monitor of news about AI infrastructure.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
sources_app = typer.Typer(help="Inspect and validate the sources file.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")
app.add_typer(watch_app, name="watch")  # gigawatch/cli_watch.py
app.add_typer(taxonomy_app, name="taxonomy")  # gigawatch/cli_taxonomy.py
app.add_typer(lake_app, name="lake")  # gigawatch/cli_lake.py

# Wide enough for the tables when output goes to a file or a pipe.
# Emoji codes are never expanded (data such as "postgres:x:101" prints as stored); data goes
# to rich as Text or with markup=False, so only gigawatch's own strings carry markup.
console = Console(width=None if Console().is_terminal else 120, emoji=False)
err = Console(stderr=True, emoji=False)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="DuckDB file [env GIGAWATCH_DB; default data/gigawatch.duckdb]."),
]
SourcesOption = Annotated[
    Path, typer.Option("--sources", help="Sources file (TOML).", show_default=True)
]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's logs.")]
DaskOption = Annotated[
    str | None,
    typer.Option("--dask", help="Run the crawl shards and the extract batches on Dask: local:N "
                 "(a cluster of N worker processes on this machine) or a scheduler address "
                 "(tcp://host:8786) [default: in this process].", show_default=False),
]  # fmt: skip
ShardsOption = Annotated[
    int | None,
    typer.Option("--shards", min=1, help="Crawl children, each a group of sources [default: 1, "
                 "or one per Dask worker; at most one per source].", show_default=False),
]  # fmt: skip
LakeOption = Annotated[
    str | None,
    typer.Option("--lake", help="Write the batches to this Parquet lake (a folder, file://..., "
                 "s3://bucket/prefix), --db being its catalogue (default: the lake --db is the "
                 "catalogue of, if any).", show_default=False),
]  # fmt: skip
SourceOption = Annotated[
    list[str] | None, typer.Option("--source", "-s", help="Only this source (repeatable).")
]
BatchOption = Annotated[
    int | None,
    typer.Option(
        help=f"Pages per extract/load batch (default: {DEFAULT_BATCH_SIZE}; "
        f"{DASK_BATCH_SIZE} with --dask).",
        min=1,
    ),
]
LockOption = Annotated[
    float, typer.Option(help="Seconds to wait for another process writing the database.")
]
RefreshOption = Annotated[
    bool, typer.Option("--refresh", help="Fetch known article URLs again; update changed ones.")
]
WatchesOption = Annotated[
    Path | None,
    typer.Option("--watches", help="Watches file evaluated after each stored batch [default: "
                 "the sources file's `watches` key]."),
]  # fmt: skip


def _no_telemetry() -> None:
    """Prefect's usage telemetry is off unless the user's environment turns it on (README).

    Prefect decides when it is imported: its SDK telemetry (and the first-run notice "Prefect
    collects anonymous usage data…" on a terminal) is off only with DO_NOT_TRACK=1;
    PREFECT_SERVER_ANALYTICS_ENABLED only concerns the server. So both are set here, before
    any command imports Prefect, and the temporary server inherits them.
    """
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # The temporary Prefect server of a first run creates and migrates its database, which
    # can take longer than Prefect's default 20 s on a busy 2-core machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


_no_telemetry()


def _quiet_prefect(verbose: bool) -> None:
    """Keep Prefect's console logging for --verbose; flows still record everything."""
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")


def _load_sources(sources: Path, only: list[str] | None = None) -> SourcesConfig:
    """The validated sources file, or each problem on stderr and exit 2."""
    from gigawatch.sources import SourcesError, load_sources

    try:
        return load_sources(sources).select(only)
    except SourcesError as exc:
        for problem in exc.problems:
            err.print(f"{exc.path}: {problem}", markup=False, highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None


@contextmanager
def _fails_when_busy(*also: type[Exception]) -> Iterator[None]:
    """A database held by another writer (or one of ``also``): its message and exit 1."""
    from warehouse.db import WarehouseBusy

    try:
        yield
    except (WarehouseBusy, *also) as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(EXIT_FAILED) from None


def version_callback(value: bool) -> None:
    if value:
        console.print(f"gigawatch {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """gigawatch: crawl, extract, tag, deduplicate and query news about AI infrastructure."""


def _print_summary(summary: dict) -> None:
    from gigawatch.output import rich_table

    cols = ["source", "pages_fetched", "not_modified", "skipped_known", "articles_new",
            "duplicates", "errors"]  # fmt: skip
    if summary.get("window"):
        cols.insert(-1, "outside_window")
    rows = [[r[c] for c in cols] for r in summary["sources"]]
    console.print(rich_table(cols, rows, title=f"Run {summary['run_id']}: {summary['status']}"))
    if summary.get("nothing_new"):
        console.print("Nothing new: no article was added.")
    else:
        console.print(f"{summary['articles_new']} new articles.")


def _run_ingest(sources: Path, db: Path, only: list[str] | None, batch_size: int | None,
                lock_timeout: float, verbose: bool, refresh: bool = False,
                window: tuple[date, date] | None = None,
                watches: Path | None = None, origin: str = "crawl",
                archive: str | None = None, dask: str | None = None,
                shards: int | None = None, lake: str | None = None) -> dict:  # fmt: skip
    """Run the ingest flow, or the backfill flow for a window (from the sites, or from the
    CC-NEWS archive with ``origin="cc-news"``), with a progress display."""
    config = _load_sources(sources, only)
    if origin == "cc-news":  # a bad archive URL, a missing folder: exit 2 before the flow
        from gigawatch.ccnews import ArchiveError, check_archive

        try:
            check_archive(archive or config.cc_news.base_url)
        except ArchiveError as exc:
            err.print(f"archive: {exc}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
    if watches is not None or config.watches:  # a bad watches file: its problems, exit 2
        from gigawatch.cli_watch import load_or_exit

        load_or_exit(watches or Path(config.watches or ""))
    _quiet_prefect(verbose)
    server = _use_local_prefect()
    from warehouse.db import WarehouseUnwritable

    common = {
        "sources": str(sources),
        "db": str(db),
        "only": only or None,
        "batch_size": batch_size,
        "lock_timeout": lock_timeout,
        "refresh": refresh,
        "watches": str(watches) if watches else None,
        "dask": dask,
        "shards": shards,
        "lake": lake,
    }
    from flows.runner import RunnerError  # a Dask scheduler that cannot be reached: exit 1

    with _fails_when_busy(WarehouseUnwritable, RunnerError):
        if window is None:
            from flows.ingest import ingest

            summary = _with_progress(ingest, common)
        else:
            from flows.backfill import backfill
            from gigawatch.ccnews import ArchiveError

            params = {**common, "since": window[0], "until": window[1]}
            if origin != "crawl":
                params |= {"origin": origin, "archive": archive}
            try:
                summary = _with_progress(backfill, params)
            except ArchiveError as exc:  # a bad archive, found before any work
                err.print(f"archive: {exc}", markup=False, highlight=False, soft_wrap=True)
                raise typer.Exit(EXIT_BAD_INPUT) from None
    _print_startup(summary, server)
    return summary


def _use_local_prefect() -> str | None:
    """The Prefect server this run uses: ``PREFECT_API_URL``, else a running local one
    (``gigawatch serve``'s, or ``prefect server start``'s on its default port), which is then
    set for this process; None: Prefect starts a temporary server for the run.
    ``GIGAWATCH_LOCAL_PREFECT=0`` turns the search off."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    if os.environ.get("GIGAWATCH_LOCAL_PREFECT", "1") == "0":
        return None
    from gigawatch import local_prefect

    url = local_prefect.find()
    if url:
        os.environ["PREFECT_API_URL"] = url
    return url


def _print_startup(summary: dict, server: str | None) -> None:
    """The seconds from the command's start to the flow's first line, on a line of its own
    (stderr, so that stdout stays the summary)."""
    started = summary.get("flow_started_at")
    if not isinstance(started, int | float):
        return
    where = (f"Prefect server at {server}" if server else
             "a temporary Prefect server started for this run; keep one up with "
             "`gigawatch serve` or `prefect server start` to skip this")  # fmt: skip
    err.print(f"Start-up: {started - STARTED:.1f} s ({where})", markup=False, highlight=False)


def _with_progress(flow_fn, params: dict) -> dict:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from gigawatch import progress as hook

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=True, disable=not err.is_terminal,
    ) as bar:  # fmt: skip
        tasks: dict[str, int] = {}

        def reporter(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        hook.set_reporter(reporter)
        try:
            return flow_fn(**params)
        finally:
            hook.set_reporter(None)


@app.command()
def run(
    sources: SourcesOption = DEFAULT_SOURCES,
    db: DbOption = None,
    source: SourceOption = None,
    batch_size: BatchOption = None,
    lock_timeout: LockOption = DEFAULT_LOCK_TIMEOUT,
    refresh: RefreshOption = False,
    watches: WatchesOption = None,
    dask: DaskOption = None,
    shards: ShardsOption = None,
    lake: LakeOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Ingest the configured sources: crawl, extract and load what is new into DuckDB."""
    _check_dask(dask, verbose)
    _check_lake(db_path(db), lake, lock_timeout)
    summary = _run_ingest(sources, db_path(db), source, batch_size, lock_timeout, verbose, refresh,
                          watches=watches, dask=dask, shards=shards, lake=lake)  # fmt: skip
    _finish(summary)


def _check_dask(dask: str | None, verbose: bool) -> None:
    """A ``--dask`` value that is neither local:N nor a scheduler address: exit 2."""
    if not dask:
        return
    _quiet_prefect(verbose)  # before Prefect is imported: it sets its log level then
    from flows.runner import RunnerError, parse_spec

    try:
        parse_spec(dask)
    except RunnerError as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _check_lake(db: Path, lake: str | None, lock_timeout: float) -> None:
    """With ``--lake``: make ``db`` the lake's catalogue, or check it is; exit 2 when it is
    another lake's, or a warehouse with rows of its own."""
    if lake is None:
        return
    from warehouse.lake import prepare
    from warehouse.lake_fs import LakeError

    try:
        prepare(db, lake, lock_timeout)
    except LakeError as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _finish(summary: dict) -> None:
    _print_summary(summary)
    if summary["status"] == "partial":
        err.print("[yellow]Some fetches failed; see `gigawatch query \"SELECT url, outcome, "
                  "error FROM pages JOIN fetch_outcomes USING (outcome) WHERE is_error\"`."
                  "[/yellow]")  # fmt: skip
        raise typer.Exit(EXIT_PARTIAL)


@app.command()
def backfill(
    since: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="First day (YYYY-MM-DD).")],
    until: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"], help="Last day, inclusive.")],
    sources: SourcesOption = DEFAULT_SOURCES,
    db: DbOption = None,
    source: SourceOption = None,
    batch_size: BatchOption = None,
    lock_timeout: LockOption = DEFAULT_LOCK_TIMEOUT,
    refresh: RefreshOption = False,
    watches: WatchesOption = None,
    dask: DaskOption = None,
    shards: ShardsOption = None,
    lake: LakeOption = None,
    verbose: VerboseOption = False,
    origin: Annotated[
        str,
        typer.Option(
            "--from",
            help="Where the pages come from: crawl (the sites: sitemaps, feeds, archives, "
            "CDX) or cc-news (Common Crawl News WARC files).",
        ),
    ] = "crawl",
    archive: Annotated[
        str | None,
        typer.Option(
            help="With --from cc-news: the archive's base URL (a mirror, s3://...) or a local "
            "folder of WARCs; default: the sources file's [cc_news] base_url "
            "(https://data.commoncrawl.org/).",
        ),
    ] = None,
) -> None:
    """Collect the articles published in a past window (sitemaps, feeds, archives, CDX, or
    the CC-NEWS archive with --from cc-news)."""
    if until < since:
        err.print(f"--until {until:%Y-%m-%d} is before --since {since:%Y-%m-%d}")
        raise typer.Exit(EXIT_BAD_INPUT)
    _check_origin(origin, archive)
    _check_dask(dask, verbose)
    _check_lake(db_path(db), lake, lock_timeout)
    summary = _run_ingest(
        sources, db_path(db), source, batch_size, lock_timeout, verbose, refresh,
        window=(since.date(), until.date()), watches=watches, origin=origin, archive=archive,
        dask=dask, shards=shards, lake=lake,
    )  # fmt: skip
    _finish(summary)


def _check_origin(origin: str, archive: str | None) -> None:
    """``--from`` and ``--archive`` make sense together (exit 2 otherwise)."""
    from gigawatch.ccnews import ORIGINS
    from gigawatch.config import archive_url_problem

    if origin not in ORIGINS:
        err.print(f"--from must be one of {', '.join(ORIGINS)}, not {origin!r}")
        raise typer.Exit(EXIT_BAD_INPUT)
    if archive is not None and origin != "cc-news":
        err.print("--archive is for --from cc-news")
        raise typer.Exit(EXIT_BAD_INPUT)
    if archive is not None and (wrong := archive_url_problem(archive)) is not None:
        err.print(f"--archive: {wrong}", markup=False, highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command()
def demo(
    db: Annotated[Path, typer.Option("--db", help="DuckDB file for the demo.")] = Path(
        "data/demo.duckdb"
    ),
    keep_serving: Annotated[
        bool, typer.Option(help="Keep the demo site up after the run (Ctrl-C to stop).")
    ] = False,
    port: Annotated[
        int,
        typer.Option(
            help="First port of the demo site; outlets get consecutive ports (a busy one falls "
            "back to a free port, whose articles are then new to the database)."
        ),
    ] = DEMO_PORT,
    verbose: VerboseOption = False,
) -> None:
    """Serve the bundled demo news site on 127.0.0.1 and ingest it into a DuckDB file."""
    from gigawatch.demo.server import DemoSite, stable_ports
    from gigawatch.demo.sources import sources_toml

    with DemoSite(ports=stable_ports(port), fallback=True) as site:
        for outlet in site.outlets:
            console.print(f"demo outlet [bold]{outlet}[/bold] at {site.base_url(outlet)}")
        for outlet in site.moved:
            err.print(f"port {stable_ports(port)[outlet]} is busy: {outlet} is served on "
                      f"{site.port(outlet)} instead, so its articles are new to {db}")  # fmt: skip
        sources = db.parent / "demo-sources.toml"
        sources.parent.mkdir(parents=True, exist_ok=True)
        sources.write_text(sources_toml(site, with_dead_source=True), encoding="utf-8")
        summary = _run_ingest(sources, db, None, DEFAULT_BATCH_SIZE, DEFAULT_LOCK_TIMEOUT, verbose)
        _print_summary(summary)
        if summary["status"] == "partial":
            console.print(
                "[dim]The demo site serves broken pages and a dead source on purpose; "
                "each failure is a row in the pages view.[/dim]"
            )
        _print_demo_trend(db)
        console.print(f'\nNext: gigawatch query --db {db} "SELECT source, count(*) FROM articles '
                      'GROUP BY ALL"')  # fmt: skip
        if keep_serving:
            console.print("Serving the demo site; press Ctrl-C to stop.")
            try:
                while True:
                    time.sleep(1)
            except KeyboardInterrupt:
                pass


def _print_demo_trend(db: Path) -> None:
    from gigawatch.output import rich_table
    from warehouse import db as wh

    con = wh.connect(db, read_only=True)
    try:
        cur = con.execute(wh.read_sql("demo_trend"))
        cols = [d[0] for d in cur.description]
        console.print(rich_table(cols, cur.fetchall(), title="A first trend"))
    finally:
        con.close()


@app.command()
def retag(
    db: DbOption = None,
    taxonomy: Annotated[
        Path | None,
        typer.Option(
            help="Taxonomy file [env GIGAWATCH_TAXONOMY; default: the bundled taxonomy.toml]."
        ),
    ] = None,
    lock_timeout: LockOption = DEFAULT_LOCK_TIMEOUT,
    verbose: VerboseOption = False,
) -> None:
    """Re-tag the whole history from stored text (after the taxonomy changed)."""
    from gigawatch.settings import taxonomy_path
    from gigawatch.taxonomy import TaxonomyError, load_taxonomy

    taxonomy = taxonomy_path(taxonomy)
    try:
        load_taxonomy(taxonomy)
    except TaxonomyError as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    _quiet_prefect(verbose)
    from flows.maintenance import retag as retag_flow

    params = {"db": str(db_path(db)), "taxonomy": str(taxonomy) if taxonomy else None,
              "lock_timeout": lock_timeout}  # fmt: skip
    with _fails_when_busy():
        summary = _with_progress(retag_flow, params)
    console.print(
        f"Re-tagged {summary['articles']} articles ({summary['relevant']} relevant) with "
        f"taxonomy {summary['taxonomy_version']} in {summary['seconds']:.1f} s."
    )


@app.command()
def restory(
    db: DbOption = None,
    lock_timeout: LockOption = DEFAULT_LOCK_TIMEOUT,
    verbose: VerboseOption = False,
) -> None:
    """Rebuild duplicates and stories from every stored article."""
    _quiet_prefect(verbose)
    from flows.maintenance import restory as restory_flow

    with _fails_when_busy():
        summary = _with_progress(
            restory_flow, {"db": str(db_path(db)), "lock_timeout": lock_timeout}
        )
    console.print(
        f"Folded {summary['articles']} articles: {summary['exact']} exact and "
        f"{summary['near']} near duplicates; {summary['stories_new']} stories."
    )


@app.command()
def reextract(
    since: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Only articles published since (YYYY-MM-DD)."),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Only articles published until, inclusive."),
    ] = None,
    source: SourceOption = None,
    outdated: Annotated[
        bool,
        typer.Option(
            "--outdated", help="Only articles extracted with another extractor or other options."
        ),
    ] = False,
    batch_size: Annotated[int, typer.Option(help="Articles per batch (one transaction).")] = 200,
    db: DbOption = None,
    lock_timeout: LockOption = DEFAULT_LOCK_TIMEOUT,
    verbose: VerboseOption = False,
) -> None:
    """Extract stored articles again from their raw bodies, then re-tag and re-fold what changed."""
    if since and until and until < since:
        err.print(f"--until {until:%Y-%m-%d} is before --since {since:%Y-%m-%d}")
        raise typer.Exit(EXIT_BAD_INPUT)
    _quiet_prefect(verbose)
    from flows.maintenance import reextract as reextract_flow

    params = {"db": str(db_path(db)), "since": since.date() if since else None,
              "until": until.date() if until else None, "sources": source or [],
              "outdated": outdated, "batch_size": batch_size,
              "lock_timeout": lock_timeout}  # fmt: skip
    with _fails_when_busy():
        summary = _with_progress(reextract_flow, params)
    console.print(
        f"Re-extracted {summary['articles']} articles with {summary['extractor']}: "
        f"{summary['changed']} changed ({summary['texts_changed']} texts, "
        f"{summary['titles_changed']} titles, {summary['dates_changed']} dates, "
        f"{summary['languages_changed']} languages), {summary['stories_changed']} stories "
        f"changed, {summary['failed']} failed, in {summary['seconds']:.1f} s.",
        markup=False, highlight=False,
    )  # fmt: skip


@app.command()
def serve(
    sources: SourcesOption = DEFAULT_SOURCES,
    db: DbOption = None,
    cron: Annotated[
        str | None,
        typer.Option(help="Ingest schedule (cron, UTC); default: prefect.yaml's (hourly)."),
    ] = None,
    interval: Annotated[
        float | None, typer.Option(help="Ingest every N seconds instead of the cron schedule.")
    ] = None,
    verbose: VerboseOption = False,
) -> None:
    """Run the ingest schedule (and on-demand backfills) in this process until Ctrl-C."""
    _load_sources(sources)
    _quiet_prefect(verbose)
    from flows.serve import serve_flows

    serve_flows(str(sources.resolve()), str(db_path(db).resolve()), cron, interval)


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="One SQL query (read-only, sandboxed).")],
    db: DbOption = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table, csv, json or parquet (with --out).")
    ] = "table",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Parquet file to write (--format parquet).")
    ] = None,
    timeout: Annotated[
        float, typer.Option(help="Stop the query after this many seconds (0: no limit).")
    ] = 30.0,
    max_rows: Annotated[
        int | None,
        typer.Option(
            help="Rows returned at most (0: all) [default: 10000 for a table, all "
            "for csv, json and parquet]."
        ),  # fmt: skip
    ] = None,
    memory_limit: Annotated[str, typer.Option(help="DuckDB memory limit for the query.")] = "2GB",
) -> None:
    """Run one read-only SQL query on the warehouse, in a sandbox, and print the result (or
    write it as Parquet). Files, URLs, ATTACH, SET, PRAGMA, COPY and writes are refused."""
    import duckdb

    from gigawatch.output import write_rows
    from warehouse import db as wh
    from warehouse import sandbox

    if fmt not in ("table", "csv", "json", "parquet"):
        _refuse(f"unknown format {fmt!r}: use table, csv, json or parquet")
    if (fmt == "parquet") != (out is not None):
        _refuse("--format parquet goes with --out FILE")
    if timeout < 0 or (max_rows is not None and max_rows < 0):
        _refuse("--timeout and --max-rows take 0 or a positive number")
    rows_cap = (10_000 if fmt == "table" else 0) if max_rows is None else max_rows
    limits = sandbox.Limits(timeout=timeout, max_rows=rows_cap or None,
                            memory_limit=memory_limit)  # fmt: skip
    tmp, target = sandbox.parquet_paths(out) if out is not None else (None, None)
    try:
        con = sandbox.open_sandbox(db_path(db), limits, writable=[tmp] if tmp else [])
    except (FileNotFoundError, wh.WarehouseBusy) as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(EXIT_FAILED) from None
    except duckdb.Error as exc:  # a bad --memory-limit, say
        _refuse(str(exc))
    try:
        with sandbox.deadline(con, limits.timeout):
            stmt = sandbox.check_statement(con, sql)
            if tmp is not None and target is not None:
                target.parent.mkdir(parents=True, exist_ok=True)
                n = sandbox.write_parquet(con, stmt, tmp, target, limits.max_rows)
                console.print(f"{n} rows written to {out}", markup=False, highlight=False)
                return
            result = sandbox.stream(con, stmt, limits.max_rows)
            if result.columns:
                write_rows(result.columns, result.rows, fmt, console=console)
        if result.truncated.is_set():
            err.print(f"(stopped at {limits.max_rows} rows: --max-rows)", markup=False,
                      highlight=False)  # fmt: skip
    except duckdb.PermissionException as exc:  # a file, URL or extension: its first line says
        _refuse(str(exc).strip().splitlines()[0])
    except (duckdb.Error, ValueError) as exc:
        _refuse(str(exc))
    finally:
        con.close()


def _refuse(message: str) -> NoReturn:
    """Print a refusal or DuckDB's own error message on stderr and exit 2."""
    err.print(message.strip() or "refused", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT)


@sources_app.command("check")
def sources_check(sources: SourcesOption = DEFAULT_SOURCES) -> None:
    """Validate the sources file and list what it would crawl; runs nothing."""
    from gigawatch.output import rich_table

    config = _load_sources(sources)
    rows = [
        [s.name, len(s.feeds), len(s.sitemaps), len(s.start_urls), s.language or ""]
        for s in config.sources
    ]
    console.print(rich_table(["source", "feeds", "sitemaps", "start_urls", "language"], rows,
                             title=f"{sources}: {len(rows)} sources, valid"))  # fmt: skip


def _read_only(db: Path | None):
    from warehouse import db as wh

    try:
        return wh.connect(db_path(db), read_only=True)
    except (FileNotFoundError, wh.WarehouseBusy) as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(EXIT_FAILED) from None


@app.command()
def trends(
    what: Annotated[str, typer.Argument(help="orgs, topics, power, money or rising.")],
    db: DbOption = None,
    since: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="First day [default: 12 weeks or months earlier]."),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Last day [default: the latest article's day]."),
    ] = None,
    interval: Annotated[str, typer.Option(help="week or month.")] = "week",
    top: Annotated[int, typer.Option(help="Rows to show.")] = 10,
) -> None:
    """Print trend tables: organisations or topics in the news, power and money announced
    (each story once), names rising above their baseline."""
    from datetime import timedelta

    from rich.text import Text

    from gigawatch import trends as tr
    from gigawatch.output import rich_table, visible

    choices = ("orgs", "topics", "power", "money", "rising")
    if what not in choices:
        err.print(f"unknown trend {what!r}: use {', '.join(choices)}")
        raise typer.Exit(EXIT_BAD_INPUT)
    if interval not in tr.INTERVALS:
        err.print(f"unknown interval {interval!r}: use week or month")
        raise typer.Exit(EXIT_BAD_INPUT)
    con = _read_only(db)
    try:
        if what == "rising":
            results = [tr.rising(con, until.date() if until else None, top)]
            if not results[0].rows:
                end = until.date() if until else tr.latest_day(con)
                earlier = tr.recent_rising(con, end - timedelta(days=7)) if end else None
                if earlier:
                    week = earlier[1].title.removeprefix("Rising in the 7 days ")
                    results[0].notes.append(f"Latest week with rising names: {week} "
                                            f"(--until {earlier[0]}).")  # fmt: skip
        else:
            try:
                per = tr.period(con, since.date() if since else None,
                                until.date() if until else None, interval)  # fmt: skip
            except ValueError as exc:
                err.print(str(exc), markup=False, highlight=False)
                raise typer.Exit(EXIT_BAD_INPUT) from None
            if what in ("orgs", "topics"):
                results = [tr.names_table(con, what, per, top)]
            else:
                results = tr.deals_tables(con, what, per, top)
    finally:
        con.close()
    for res in results:
        if res.rows:
            console.print(rich_table(res.columns, res.rows, title=res.title))
        else:
            console.print(Text(visible(res.title), style="bold"))
        for note in res.notes:
            console.print(Text(visible(note)))


@app.command()
def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the Parquet files to.")],
    db: DbOption = None,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Only this table or view (repeatable).")
    ] = None,
) -> None:
    """Write every table and view as Parquet, partitioned by month (DIR/<name>/month=YYYY-MM/)."""
    import duckdb

    from gigawatch.export import export_all
    from gigawatch.output import rich_table

    con = _read_only(db)
    try:
        done = export_all(con, out, only)
    except duckdb.Error as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(EXIT_FAILED) from None
    finally:
        con.close()
    rows = [[e.name, e.kind, e.rows, e.partitions or "", f"{e.seconds:.2f}"] for e in done]
    console.print(rich_table(["name", "kind", "rows", "months", "seconds"], rows,
                             title=f"Exported {len(done)} tables and views to {out}"))  # fmt: skip


@app.command()
def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the report to.")] = Path(
        "reports"
    ),
    db: DbOption = None,
    since: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="First day [default: 12 weeks before --until]."),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Last day [default: the latest article's day]."),
    ] = None,
    top: Annotated[int, typer.Option(help="Organisations, stories and deals shown.")] = 10,
) -> None:
    """Write one self-contained HTML page with charts about the period (no network needed)."""
    from gigawatch.report import write_report

    con = _read_only(db)
    try:
        path = write_report(con, out, since.date() if since else None,
                            until.date() if until else None, "week", top)  # fmt: skip
    except ValueError as exc:
        err.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    finally:
        con.close()
    console.print(f"Report written to {path}", markup=False, highlight=False)


if __name__ == "__main__":
    app()
