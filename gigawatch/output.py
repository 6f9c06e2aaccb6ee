"""Render query results: rich tables for people, CSV and JSON for other programs.

Data is never read as markup: every cell, header and title goes to rich as a ``Text`` (no
``[b]`` markup, no ``:x:`` emoji codes), so a title holding ``[/b]`` prints as ``[/b]``. In
tables, control characters other than newline and tab are shown escaped (``\\x1b``) so that
stored text cannot move the cursor or recolour a terminal; CSV and JSON carry them as stored.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain_console(**kwargs: Any) -> Console:
    """A console that never turns ``:name:`` into an emoji (markup stays for our own strings)."""
    return Console(emoji=False, **kwargs)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def visible(text: str) -> str:
    """``text`` with control characters (but newline and tab) escaped as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def cell(value: Any, limit: int | None = 200) -> Text:
    """One table cell as literal text; ``limit`` shortens long values (None: keep all)."""
    text = "" if value is None else visible(str(_plain(value)))
    if limit is not None and len(text) > limit:
        text = text[: limit - 3] + "…"
    return Text(text)


def rich_table(columns: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None,
               max_width: int = 60, limit: int | None = 200) -> Table:  # fmt: skip
    table = Table(title=None if title is None else Text(visible(title)), show_lines=False,
                  header_style="bold cyan")  # fmt: skip
    for col in columns:
        table.add_column(Text(visible(col)), overflow="fold", max_width=max_width)
    for row in rows:
        table.add_row(*(cell(v, limit) for v in row))
    return table


def _json_record(columns: Sequence[str], row: Sequence[Any]) -> str:
    record = {c: _plain(v) for c, v in zip(columns, row, strict=True)}
    text = json.dumps(record, ensure_ascii=False, indent=2, default=str)
    return "\n".join("  " + line for line in text.splitlines())


def write_rows(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    fmt: str = "table",
    out: TextIO | None = None,
    console: Console | None = None,
) -> None:
    """Write rows as ``table``, ``csv`` or ``json`` (a list of objects).

    CSV and JSON are written row by row as ``rows`` yields them (a streamed result never sits
    in memory whole); a table is drawn once all its rows are in, values kept whole."""
    out = out or sys.stdout
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_plain(v) for v in row])
    elif fmt == "json":
        first = True
        for row in rows:
            out.write("[\n" if first else ",\n")
            out.write(_json_record(columns, row))
            first = False
        out.write("[]\n" if first else "\n]\n")
    else:
        (console or plain_console()).print(rich_table(columns, rows, limit=None))
