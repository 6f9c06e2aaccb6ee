"""Where a Parquet lake lives: its fsspec filesystem, the paths of its files, atomic writes,
and the filesystem registered with each DuckDB connection to a lake catalogue.

A lake URL is anything fsspec opens: a local folder (``lake``, ``file:///srv/lake``) or an
object store (``s3://bucket/prefix``). S3 settings come from the usual places: the AWS
variables botocore reads (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_SESSION_TOKEN``, ``AWS_DEFAULT_REGION``, ``AWS_PROFILE``, ``AWS_ENDPOINT_URL`` for
MinIO, Ceph or moto) and fsspec's own ``FSSPEC_S3_<OPTION>`` variables or config file.

DuckDB reads the lake's Parquet files itself: local paths natively, object stores through
the fsspec filesystem registered with the connection (``register``), so no DuckDB extension
is downloaded. A leaf of the lake modules: it imports only ``warehouse.sqlfiles``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import fsspec
from fsspec.implementations.local import LocalFileSystem

from warehouse.sqlfiles import read_sql

# the tables a batch writes to the lake, in the order a batch writes them (the manifest last)
TABLES = (
    "fetches",
    "bodies",
    "documents",
    "article_tags",
    "tag_mentions",
    "tag_facts",
    "tag_candidates",
)
MANIFESTS = "_batches"  # <lake>/_batches/<batch>.json: a batch is committed once it is there


class LakeError(ValueError):
    """A lake that cannot be used as asked: another lake recorded, a catalogue not empty."""


@dataclass(frozen=True)
class Lake:
    """A lake opened through fsspec: ``root`` is its path inside ``fs``."""

    url: str
    fs: Any  # an fsspec AbstractFileSystem
    root: str

    @classmethod
    def open(cls, url: str) -> Lake:
        fs, root = fsspec.core.url_to_fs(url)
        return cls(url, fs, root.rstrip("/"))

    @property
    def local(self) -> bool:
        return isinstance(self.fs, LocalFileSystem)

    @property
    def protocol(self) -> str:
        proto = self.fs.protocol
        return str(proto[0] if isinstance(proto, tuple | list) else proto)

    def path(self, *parts: str) -> str:
        """The path of ``parts`` under the root, for ``fs``."""
        return "/".join((self.root, *parts))

    def duckdb_path(self, *parts: str) -> str:
        """The same path as DuckDB reads it: local, or ``<protocol>://`` for ``register``."""
        path = self.path(*parts)
        return path if self.local else f"{self.protocol}://{path}"

    @property
    def canonical(self) -> str:
        """The URL recorded in a catalogue: an absolute path for a local folder."""
        return self.duckdb_path()

    def table_glob(self, table: str) -> str:
        return self.duckdb_path(table, "**", "*.parquet")

    def put(self, local: Path, dest: str) -> None:
        """Copy ``local`` to ``dest`` so that readers see all of it or nothing: written under a
        temporary name (not ``*.parquet``, not ``*.json``), then moved (a rename on a local disk;
        a copy of a whole object on S3)."""
        tmp = f"{dest}.tmp-{uuid.uuid4().hex[:8]}"
        parent = dest.rpartition("/")[0]
        if self.local:
            self.fs.makedirs(parent, exist_ok=True)
        self.fs.put_file(str(local), tmp)
        try:
            self.fs.mv(tmp, dest)
        except BaseException:
            self.fs.rm(tmp)
            raise

    def put_text(self, text: str, dest: str) -> None:
        tmp = f"{dest}.tmp-{uuid.uuid4().hex[:8]}"
        if self.local:
            self.fs.makedirs(dest.rpartition("/")[0], exist_ok=True)
        self.fs.pipe_file(tmp, text.encode("utf-8"))
        self.fs.mv(tmp, dest)

    def manifest_path(self, batch: str) -> str:
        return self.path(MANIFESTS, f"{batch}.json")

    def manifest_names(self) -> list[str]:
        """The committed batches, by name (their manifests' names)."""
        found = self.fs.glob(self.path(MANIFESTS, "*.json"))
        return sorted(p.rpartition("/")[2].removesuffix(".json") for p in found)

    def read_manifest(self, batch: str) -> dict[str, Any] | None:
        path = self.manifest_path(batch)
        if not self.fs.exists(path):
            return None
        data: dict[str, Any] = json.loads(self.fs.cat_file(path))
        return data


def lake_of(con: duckdb.DuckDBPyConnection) -> str | None:
    """The lake URL a catalogue records, None for a single-file warehouse."""
    if not con.execute(read_sql("lake/is_catalogue")).fetchone()[0]:
        return None
    row = con.execute(read_sql("lake/url")).fetchone()
    return str(row[0]) if row else None


def register(con: duckdb.DuckDBPyConnection, url: str | None = None) -> Lake | None:
    """Register the lake's fsspec filesystem with ``con`` when the catalogue records a lake on
    an object store (``url``: that lake, already known); returns the lake, None if none."""
    url = url or lake_of(con)
    if url is None:
        return None
    lake = Lake.open(url)
    if not lake.local and not con.filesystem_is_registered(lake.protocol):
        con.register_filesystem(lake.fs)
    return lake


def same_lake(a: str, b: str) -> bool:
    """Whether two URLs name the same lake (a relative folder and its absolute path do)."""
    return Lake.open(a).canonical == Lake.open(b).canonical


def refuse_in_place(con: duckdb.DuckDBPyConnection, command: str) -> None:
    """Raise :class:`LakeError` when ``con`` is a lake catalogue: ``command`` rewrites stored
    documents or tags in place, and a lake's files are never rewritten."""
    url = lake_of(con)
    if url is not None:
        raise LakeError(
            f"`gigawatch {command}` rewrites stored articles or tags in place; this warehouse "
            f"is the catalogue of the lake {url}, whose batch files are immutable: run it on a "
            "single-file warehouse"
        )
