"""Store tags in DuckDB, tag freshly loaded articles, and re-tag the whole history.

Tables come from ``migrations/0002_tags.sql`` (and ``0010_org_candidates.sql``: the names the
taxonomy does not know); public views are ``mentions``, ``facts`` and ``org_candidates``
(``views/40_mentions.sql``, ``views/41_facts.sql``, ``views/79_org_candidates.sql``). Rows are
written in bulk: each table gets one ``INSERT … SELECT unnest(list), …`` per batch, with the
columns passed as lists, so a batch costs a few round trips whatever its size (no pandas, no
per-row statements).

The language stored in ``article_tags`` is always detected from the text with py3langid:
``documents.language`` comes from page metadata and is not trusted.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from gigawatch import parallel, progress
from gigawatch.tagger import ArticleTags, configure_worker, tag_batch, worker_tagger
from warehouse import db as wh
from warehouse import schema, trend_store
from warehouse.db import read_sql, sql_statements
from warehouse.lake_fs import refuse_in_place

INSERT_CHUNK = 50_000  # rows per INSERT statement, bounds the size of one parameter list


class _Columns:
    """Parallel column lists for one table, flushed with one INSERT per chunk."""

    def __init__(self, sql_name: str, names: tuple[str, ...]):
        self.sql = read_sql(sql_name)
        self.names = names
        self.cols: dict[str, list] = {n: [] for n in names}

    def __len__(self) -> int:
        return len(self.cols[self.names[0]])

    def flush(self, con: duckdb.DuckDBPyConnection, extra: dict | None = None) -> None:
        n = len(self)
        for lo in range(0, n, INSERT_CHUNK):
            params = {k: v[lo : lo + INSERT_CHUNK] for k, v in self.cols.items()}
            if extra:
                params.update(extra)
            con.execute(self.sql, params)
        for v in self.cols.values():
            v.clear()


class _Rows:
    """The rows of many tagged articles, column by column."""

    def __init__(self) -> None:
        self.articles = _Columns(
            "tags_insert_articles",
            (
                "article_id",
                "language",
                "relevance",
                "relevant",
                "taxonomy_version",
                "taxonomy_digest",
                "tagger",
            ),
        )
        self.mentions = _Columns("tags_insert_mentions", ("article_id", "kind", "name", "count"))
        self.facts = _Columns(
            "tags_insert_facts",
            ("article_id", "seq", "kind", "value", "value_low", "unit", "currency", "amount_usd",
             "qualifier", "repeated", "sentence", "span_start", "span_end", "orgs"),
        )  # fmt: skip
        self.candidates = _Columns(
            "tags_insert_candidates", ("article_id", "name", "kind", "sentence")
        )
        self.ids: list[int] = []

    def add(self, results: Iterable[tuple[int, ArticleTags]]) -> None:
        a, m, f = self.articles.cols, self.mentions.cols, self.facts.cols
        c = self.candidates.cols
        for article_id, tags in results:
            self.ids.append(article_id)
            a["article_id"].append(article_id)
            a["language"].append(tags.language)
            a["relevance"].append(tags.relevance)
            a["relevant"].append(tags.relevant)
            a["taxonomy_version"].append(tags.taxonomy_version)
            a["taxonomy_digest"].append(tags.taxonomy_digest)
            a["tagger"].append(tags.tagger)
            for mention in tags.mentions:
                m["article_id"].append(article_id)
                m["kind"].append(mention.kind)
                m["name"].append(mention.name)
                m["count"].append(mention.count)
            for seq, fact in enumerate(tags.facts):
                f["article_id"].append(article_id)
                f["seq"].append(seq)
                f["kind"].append(fact.kind)
                f["value"].append(fact.value)
                f["value_low"].append(fact.low)
                f["unit"].append(fact.unit)
                f["currency"].append(fact.currency)
                f["amount_usd"].append(fact.amount_usd)
                f["qualifier"].append(fact.qualifier)
                f["repeated"].append(fact.repeated)
                f["sentence"].append(fact.sentence)
                f["span_start"].append(fact.span[0])
                f["span_end"].append(fact.span[1])
                f["orgs"].append(list(fact.orgs))
            for cand in tags.candidates:
                c["article_id"].append(article_id)
                c["name"].append(cand.name)
                c["kind"].append(cand.kind)
                c["sentence"].append(cand.sentence)

    def write(self, con: duckdb.DuckDBPyConnection) -> None:
        """Replace the tags of every article held here (the caller owns the transaction)."""
        if not self.ids:
            return
        for lo in range(0, len(self.ids), INSERT_CHUNK):
            chunk = self.ids[lo : lo + INSERT_CHUNK]
            for stmt in sql_statements("tags_delete"):
                con.execute(stmt, {"ids": chunk})
        self.articles.flush(con, {"tagged_at": datetime.now(UTC)})
        self.mentions.flush(con)
        self.facts.flush(con)
        self.candidates.flush(con)
        self.ids.clear()


def store_tags(con: duckdb.DuckDBPyConnection, results: list[tuple[int, ArticleTags]]) -> None:
    """Replace the tags of the given articles: delete their rows, bulk-insert the new ones.

    The caller opens and commits the transaction (``warehouse.db.writer``).
    """
    rows = _Rows()
    rows.add(results)
    rows.write(con)


def tag_articles(
    con: duckdb.DuckDBPyConnection,
    article_ids: list[int],
    tagged: Mapping[int, ArticleTags] | None = None,
) -> int:
    """Tag stored documents by id and store the tags (ingest path): ``tagged`` holds tags
    already computed from their stored title and text (in the extraction workers); the
    others are read back and tagged in this process.

    Runs inside the caller's transaction, right after ``load_batch``; returns how many.
    """
    if not article_ids:
        return 0
    tagged = tagged or {}
    results = [(aid, tagged[aid]) for aid in dict.fromkeys(article_ids) if aid in tagged]
    rest = [aid for aid in article_ids if aid not in tagged]
    if rest:
        docs = con.execute(read_sql("tags_documents_by_id"), {"ids": rest}).fetchall()
        tagger = worker_tagger()
        results += [(aid, tagger.tag(title, text)) for aid, title, text, _lang in docs]
    store_tags(con, results)
    return len(results)


@dataclass
class RetagSummary:
    articles: int
    relevant: int
    taxonomy_version: str
    seconds: float


def _pages(
    path: Path, page_size: int, lock_timeout: float
) -> Iterator[list[tuple[int, str, str, None]]]:
    """Stored documents page by page, each page read with a short-lived connection."""
    after = -(2**63)
    sql = read_sql("tags_documents_page")
    while True:
        con = wh.connect(path, lock_timeout=lock_timeout)
        try:
            rows = con.execute(sql, {"after": after, "limit": page_size}).fetchall()
        finally:
            con.close()
        if not rows:
            return
        after = rows[-1][0]
        yield [(aid, title, text, None) for aid, title, text, _lang in rows]


def _count(path: Path, lock_timeout: float) -> int:
    con = wh.connect(path, lock_timeout=lock_timeout)
    try:
        return con.execute(read_sql("tags/count_documents")).fetchone()[0]
    finally:
        con.close()


def retag(
    path: str | Path,
    *,
    taxonomy_path: str | Path | None = None,
    workers: int | None = None,
    batch_size: int = 200,
    lock_timeout: float = wh.DEFAULT_LOCK_TIMEOUT,
    on_progress: Callable[[int, int], None] | None = None,
) -> RetagSummary:
    """Re-tag every stored document from its text, then swap all tags in one transaction.

    Documents are read in pages (the file is free between pages), tagged over a process pool
    (``workers``, default: CPU count, 1 = in this process), and the new tags replace the old
    ones atomically: readers see either the old tags or the new, never a mix. Articles loaded
    while the re-tag ran keep the tags their ingest gave them; tags of deleted documents go.
    Progress goes to ``on_progress(done, total)`` and to the ``gigawatch.progress`` hook
    (stage "retag"). The trend tables are rebuilt in the same transaction.
    """
    import time

    t0 = time.monotonic()
    path = Path(path)
    schema.ensure_schema(path, lock_timeout)
    con = wh.connect(path, lock_timeout=lock_timeout)
    try:
        refuse_in_place(con, "retag")
    finally:
        con.close()
    total = _count(path, lock_timeout)
    workers = workers or os.cpu_count() or 1
    rows = _Rows()
    relevant = 0
    done = 0
    version = ""

    def collect(results: list[tuple[int, ArticleTags]]) -> None:
        nonlocal done, relevant, version
        rows.add(results)
        done += len(results)
        relevant += sum(1 for _, t in results if t.relevant)
        if results:
            version = results[0][1].taxonomy_version
        progress.report("retag", done, total)
        if on_progress:
            on_progress(done, total)

    progress.report("retag", 0, total)
    pages = _pages(path, batch_size, lock_timeout)
    if workers <= 1:
        configure_worker(taxonomy_path)
        for page in pages:
            collect(tag_batch(page))
    else:
        initargs = (str(taxonomy_path) if taxonomy_path else None,)
        with parallel.process_pool(workers, configure_worker, initargs) as pool:
            tasks = ((None, page) for page in pages)
            for _key, results in parallel.bounded_map(pool, tag_batch, tasks, workers * 2):
                collect(results)
    with wh.writer(path, lock_timeout) as con:
        rows.write(con)
        for stmt in sql_statements("tags_prune"):
            con.execute(stmt)
        trend_store.rebuild(con)  # relevance and names changed everywhere
    return RetagSummary(done, relevant, version, round(time.monotonic() - t0, 3))
