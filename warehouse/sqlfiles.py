"""The SQL files of the warehouse package: read them, cut them into statements, digest them.

A leaf module: every other warehouse module may import it, it imports none of them.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import re
import threading
from importlib import resources
from importlib.resources.abc import Traversable

import duckdb

# a string literal, a quoted identifier or a comment: comments are dropped, the others kept
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/", re.DOTALL)
_parser_lock = threading.Lock()


def _root() -> Traversable:
    return resources.files("warehouse")


def read_sql(name: str) -> str:
    """Text of ``warehouse/sql/<name>.sql`` (``name`` may hold a sub-folder: ``topic/name``)."""
    return (_root() / "sql" / f"{name}.sql").read_text(encoding="utf-8")


def read_derived(name: str) -> str:
    """Text of ``warehouse/derived/<name>.sql``: the DDL of a store's derived tables."""
    return (_root() / "derived" / f"{name}.sql").read_text(encoding="utf-8")


def strip_comments(sql: str) -> str:
    """``sql`` without its ``--`` and ``/* */`` comments (which may hold a ';' or a
    ``$name``); string literals are left as they are."""
    return _TOKEN.sub(lambda m: m.group(0) if m.group(0)[0] in "'\"" else " ", sql)


@functools.cache
def _parser() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()  # in memory, only to cut text into statements


def split_statements(sql: str) -> list[str]:
    """The statements of ``sql``, without comments, as DuckDB's own parser cuts them (a
    ';' inside a string stays in its statement). Text DuckDB cannot parse yet (a template
    with ``{ids}`` to fill in) is cut at each ';' instead."""
    text = strip_comments(sql)
    try:
        with _parser_lock:
            queries = [s.query for s in _parser().extract_statements(text)]
    except duckdb.ParserException:
        queries = text.split(";")
    return [q for q in (q.strip().rstrip(";").strip() for q in queries) if q]


def sql_statements(name: str) -> list[str]:
    """The statements of ``warehouse/sql/<name>.sql``, to run one by one."""
    return split_statements(read_sql(name))


def sql_files(folder: str) -> list[tuple[str, str]]:
    """``(file name, text)`` of every ``.sql`` file of ``warehouse/<folder>``, by name."""
    root = _root() / folder
    files = sorted((p for p in root.iterdir() if p.name.endswith(".sql")), key=lambda p: p.name)
    return [(p.name, p.read_text(encoding="utf-8")) for p in files]


def digest(*patterns: str) -> str:
    """Short sha1 of the files matching ``patterns`` (``folder/glob`` under the warehouse
    package, e.g. ``sql/trends_*.sql``), names and contents, in a stable order. A pattern
    whose folder does not exist matches nothing."""
    h = hashlib.sha1()
    for pattern in patterns:
        folder, _, glob = pattern.rpartition("/")
        root = _root() / folder if folder else _root()
        if not root.is_dir():
            continue
        for p in sorted(root.iterdir(), key=lambda p: p.name):
            if p.is_file() and fnmatch.fnmatchcase(p.name, glob):
                h.update(f"{folder}/{p.name}".encode())
                h.update(p.read_bytes())
    return h.hexdigest()[:16]
