"""Render query results: rich tables for people, CSV and JSON for other programs."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def rich_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None,
               max_width: int = 60) -> Table:  # fmt: skip
    table = Table(title=title, show_lines=False, header_style="bold cyan")
    for col in columns:
        table.add_column(col, overflow="fold", max_width=max_width)
    for row in rows:
        cells = []
        for v in row:
            text = "" if v is None else str(_plain(v))
            cells.append(text if len(text) <= 200 else text[:197] + "…")
        table.add_row(*cells)
    return table


def write_rows(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    fmt: str = "table",
    out: TextIO | None = None,
    console: Console | None = None,
) -> None:
    """Write rows as ``table``, ``csv`` or ``json`` (a list of objects)."""
    out = out or sys.stdout
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_plain(v) for v in row] for row in rows])
    elif fmt == "json":
        records = [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in rows]
        json.dump(records, out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
    else:
        (console or Console()).print(rich_table(columns, rows))
