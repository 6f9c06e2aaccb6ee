"""``gigawatch taxonomy``: what the taxonomy could learn from the stored articles.

``suggest`` reads the ``org_candidates`` view (names the taxonomy does not know, seen in deal
sentences of relevant articles; :mod:`gigawatch.candidates`) and prints them as taxonomy
entries to paste into the ``organisations`` list. Registered in :mod:`gigawatch.cli`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from gigawatch.settings import db_path, taxonomy_path

EXIT_FAILED, EXIT_BAD_INPUT = 1, 2

taxonomy_app = typer.Typer(
    help="The taxonomy: suggest organisations it does not know yet.", no_args_is_help=True
)
err = Console(stderr=True, emoji=False)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="DuckDB file [env GIGAWATCH_DB; default data/gigawatch.duckdb]."),
]
TaxonomyOption = Annotated[
    Path | None,
    typer.Option(
        "--taxonomy",
        help="Taxonomy file whose names are left out [env GIGAWATCH_TAXONOMY; default: the "
        "bundled taxonomy.toml].",
    ),
]


def _say(message: str) -> None:
    err.print(message, markup=False, highlight=False, soft_wrap=True)


@taxonomy_app.command("suggest")
def suggest(
    db: DbOption = None,
    since: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Only names seen on or after this day."),
    ] = None,
    min_stories: Annotated[
        int, typer.Option("--min-stories", min=1, help="Only names in at least N stories.")
    ] = 2,
    limit: Annotated[int, typer.Option(min=1, help="At most this many entries.")] = 50,
    taxonomy: TaxonomyOption = None,
) -> None:
    """Print organisations the taxonomy does not know, found next to deal words in relevant
    articles, as ready-to-paste taxonomy entries (most stories first)."""
    import duckdb

    from gigawatch.candidates import Suggestion, format_suggestions
    from gigawatch.taxonomy import TaxonomyError, load_taxonomy
    from warehouse import db as wh

    try:
        tax = load_taxonomy(taxonomy_path(taxonomy))
    except TaxonomyError as exc:
        _say(str(exc))
        raise typer.Exit(EXIT_BAD_INPUT) from None
    # every alias of every section: a pasted entry must not clash with any (the loader's rule)
    sections = (tax.organisations, tax.accelerators, tax.topics, tax.places)
    known = {a.strip("*").casefold() for entries in sections for e in entries for a in e.aliases}
    try:
        con = wh.connect(db_path(db), read_only=True)
    except (FileNotFoundError, wh.WarehouseBusy) as exc:
        _say(str(exc))
        raise typer.Exit(EXIT_FAILED) from None
    try:
        params = {"min_stories": min_stories, "since": since}
        rows = con.execute(wh.read_sql("read/org_candidates"), params).fetchall()
    except duckdb.CatalogException:
        _say(f"{db_path(db)}: no org_candidates view yet: run `gigawatch run` or "
             "`gigawatch retag` once to upgrade the warehouse.")  # fmt: skip
        raise typer.Exit(EXIT_FAILED) from None
    finally:
        con.close()
    chosen: list[Suggestion] = []
    for name, kind, stories, outlets, articles, first, last, example, _url, sources in rows:
        if len(chosen) >= limit:
            break
        if name.casefold() in known:
            continue
        known.add(name.casefold())  # "Acme Capital" and "ACME Capital": one entry
        chosen.append(
            Suggestion(
                name=name, kind=kind, stories=stories, outlets=outlets, articles=articles,
                first_seen=_day(first), last_seen=_day(last), example=example or "",
                sources=tuple(sources or ()),
            )
        )  # fmt: skip
    header = (
        f"# gigawatch taxonomy suggest: {len(chosen)} organisations not in taxonomy "
        f"{tax.version}, named in >= {min_stories} stories"
        + (f" seen since {since.date()}" if since else "")
        + ".\n# Paste into the `organisations` list, check each kind and add aliases, bump "
        "`version`, then run `gigawatch retag`.\n"
    )
    typer.echo(header + format_suggestions(chosen), nl=False)


def _day(value: object) -> str:
    return value.date().isoformat() if isinstance(value, datetime) else str(value or "?")
