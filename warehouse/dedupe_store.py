"""Fold duplicates and group stories, incrementally, with the state kept in DuckDB: the I/O.

The decisions are pure functions in ``gigawatch/dedupe/grouping.py``; this module reads their
inputs from the warehouse (temporary tables of the batch, candidate and history queries in
``sql/dedupe/*.sql``) and writes their verdicts back.

Tables come from ``derived/dedupe.sql`` (rebuilt, not migrated: see ``ensure_current``); the
public view is ``stories``
(``views/50_stories.sql``) and ``articles`` gains ``duplicate_of`` and ``story_id`` from
``article_dedupe``.

``fold_batch(con, ids)`` folds newly stored (or re-extracted) articles, in the caller's
transaction:

1. signatures of the batch (``gigawatch.dedupe``; over a process pool for large batches);
2. candidates by joins on the batch's own text hashes and LSH buckets (temporary tables),
   against the history and the batch itself; verified on the whole signature;
3. ``grouping.group_duplicates``: each article, in first-seen order (published_at, else
   fetched_at, then article_id), is a duplicate of the first-seen article of the group of its
   best match, or an original. An article published before the first-seen article of a group
   it matches (a backfill) takes that place: the group then points to it;
4. ``grouping.assign_stories``: duplicates join their original's story; originals are scored
   against the earlier originals sharing a story key within the window
   (``gigawatch.dedupe.stories``) and join the best story above the threshold, or begin one.
   A story's id is the article_id of its first article (re-labelled if an earlier article
   joins it).

The cost follows the batch: the history is reached through hash joins on the batch's keys
(DuckDB scans one key column of the bucket table, and only the row groups of the window of
the story index) and point lookups by literal id lists (indexes on article_id); rows go in
through DuckDB's appender, several keys per row as one hex string that SQL cuts up. Articles
whose text and date have not changed since they were folded are skipped, so re-running a
batch changes nothing.

``rebuild(con)`` (``gigawatch restory``) drops the state and folds every stored article again
in first-seen order, in batches, with the same folding as ``fold_batch``: texts are streamed
to a process pool computing signatures while this process folds each batch whose signatures
are all in, under a lower DuckDB ``memory_limit``. Folding in first-seen order gives the same
verdicts as incremental runs that received the articles in that order.
"""

from __future__ import annotations

import functools
import logging
import re
import time
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import duckdb
import numpy as np

from gigawatch import parallel
from gigawatch.dedupe import (
    DedupeConfig,
    Signatures,
    compute,
    compute_chunk,
    hex_keys,
    load_config,
    stories,
)
from gigawatch.dedupe.grouping import (
    Assignment,
    Batch,
    Grouping,
    Known,
    StoryHistory,
    assign_stories,
    group_duplicates,
    regroups,
    stories_to_date,
    verdict,
)
from gigawatch.dedupe.lead import (
    DEFAULT_TAXONOMY,
    LEAD_MAX,
    LeadMatcher,
    lead_end,
    lead_text,
    taxonomy_aliases,
)
from gigawatch.settings import taxonomy_path
from warehouse.db import (
    derived_version,
    read_sql,
    reset_derived,
    set_derived_version,
    sql_statements,
    table_exists,
)
from warehouse.sqlfiles import digest

LOG = logging.getLogger(__name__)
SignatureLookup = Callable[[list[int]], np.ndarray]  # article ids -> their MinHash rows
PARALLEL_FROM = 2_000  # batches with at least this many texts compute signatures over a pool
ID_CHUNK = 2_000  # ids per literal list (DuckDB's index_scan_max_count is 2048)
POOL_CHUNK = 1_000  # texts per pool task
QUEUE_PER_WORKER = 8  # pool tasks queued per worker while restory folds
NAME = "dedupe"  # derived/dedupe.sql, and its row in derived_state
# what the tables are built from: a change to any of these files means a rebuild (a refold)
SOURCES = ("derived/dedupe.sql", "sql/dedupe_*.sql", "sql/dedupe/*.sql")


class StaleDedupeState(RuntimeError):
    """The dedupe state cannot take a new batch: ``kind`` is "schema" (tables made by another
    version) or "settings" (signatures computed with other settings); run ``gigawatch
    restory``."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class DedupeSummary:
    articles: int = 0  # articles folded now
    unchanged: int = 0  # already folded with the same text and date: skipped
    exact: int = 0  # duplicates of the same normalised text
    near: int = 0  # near-duplicates
    originals: int = 0
    regrouped: int = 0  # duplicate groups whose first-seen article arrived late
    stories_new: int = 0
    stories_joined: int = 0  # originals that joined an existing story
    seconds: float = 0.0
    duplicates_of: dict[int, int] = field(default_factory=dict, repr=False)

    def add(self, other: DedupeSummary) -> None:
        for name in ("articles", "unchanged", "exact", "near", "originals", "regrouped",
                     "stories_new", "stories_joined"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.duplicates_of.update(other.duplicates_of)


# --- helpers -------------------------------------------------------------------------------


def _rows(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[tuple]:
    return con.execute(read_sql(f"dedupe/{name}"), params).fetchall()


def _run(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> None:
    """Run the statements of ``sql/dedupe/<name>.sql`` one by one, each with the parameters
    it names (DuckDB refuses unused ones)."""
    for stmt in sql_statements(f"dedupe/{name}"):
        used = set(re.findall(r"\$(\w+)", stmt))
        con.execute(stmt, {k: v for k, v in params.items() if k in used})


def _rows_by_id(con: duckdb.DuckDBPyConnection, name: str, ids: Sequence[int]) -> list[tuple]:
    """Rows of a query whose ``{ids}`` is a literal id list, ``ID_CHUNK`` ids at a time.

    Literal lists let DuckDB use the indexes on article_id (a parameter list or a join
    scans whole columns: every text of ``documents``, every signature)."""
    sql = read_sql(f"dedupe/{name}")
    out: list[tuple] = []
    for lo in range(0, len(ids), ID_CHUNK):
        literal = ", ".join(str(int(i)) for i in ids[lo : lo + ID_CHUNK])
        out += con.execute(sql.replace("{ids}", literal)).fetchall()
    return out


def _append(con: duckdb.DuckDBPyConnection, table: str, rows: Iterator[tuple] | list) -> None:
    appender = con.appender(table)
    appender.append_rows(rows)
    appender.flush()


def _unblob(blob: bytes | None) -> np.ndarray | None:
    return None if blob is None else np.frombuffer(blob, dtype="<u4")


@functools.cache
def sql_version() -> str:
    """Digest of the DDL and SQL that build the dedupe state (read once per process)."""
    return digest(*SOURCES)


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the dedupe tables were built by the current DDL and SQL (``derived_state``)."""
    return derived_version(con, NAME) == sql_version() and table_exists(con, "dedupe_state")


def ensure_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Create the dedupe tables of a warehouse that stores no article yet (True); otherwise
    leave stale tables to the next fold or ``gigawatch restory`` (False), which rebuild them
    with the run's ``[near_duplicates]`` settings (unknown here). ``warehouse.schema`` calls
    it after the migrations."""
    if is_current(con) or con.execute(read_sql("dedupe/state_has_documents")).fetchone()[0]:
        return False
    con.execute("BEGIN TRANSACTION")
    try:
        reset_derived(con, NAME)
        set_derived_version(con, NAME, sql_version())
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return True


def _reset_state(con: duckdb.DuckDBPyConnection, config: DedupeConfig) -> None:
    reset_derived(con, NAME)
    con.execute(read_sql("dedupe/state_signature"), {"fingerprint": config.signature_fingerprint()})
    set_derived_version(con, NAME, sql_version())


def _check_state(con: duckdb.DuckDBPyConnection, config: DedupeConfig) -> None:
    """Refuse to mix signatures computed with other settings, or tables of another version."""
    if not is_current(con):
        raise StaleDedupeState(
            "the dedupe tables were made by another version of gigawatch: run `gigawatch restory`",
            "schema",
        )
    state = dict(con.execute(read_sql("dedupe/state_read")).fetchall())
    if "signature" not in state:  # a fresh database: this batch sets the settings
        con.execute(read_sql("dedupe/state_signature"),
                    {"fingerprint": config.signature_fingerprint()})  # fmt: skip
    elif state["signature"] != config.signature_fingerprint():
        raise StaleDedupeState(
            f"stored signatures were computed with other settings ({state['signature']}; now "
            f"{config.signature_fingerprint()}): run `gigawatch restory`",
            "settings",
        )


def _signatures(texts: Sequence[str | None], config: DedupeConfig, workers: int) -> Signatures:
    """Signatures of ``texts``, over a process pool when there are many."""
    if workers <= 1 or len(texts) < PARALLEL_FROM:
        return compute(texts, config)
    chunks = [list(texts[i : i + POOL_CHUNK]) for i in range(0, len(texts), POOL_CHUNK)]
    with parallel.process_pool(workers) as pool:
        parts = parallel.bounded_map(
            pool, compute_chunk, ((i, (c, config)) for i, c in enumerate(chunks)), len(chunks)
        )
        return Signatures.concat([part for _i, part in parts])


def _workers(config: DedupeConfig) -> int:
    return config.workers or parallel.cpu_count()


# --- public entry points -------------------------------------------------------------------


def fold_batch(
    con: duckdb.DuckDBPyConnection,
    article_ids: Sequence[int],
    config: DedupeConfig | None = None,
) -> DedupeSummary:
    """Mark duplicates and assign stories for stored articles (idempotent).

    Runs in the caller's transaction. Articles already folded with the same text and date
    are skipped; those whose text or date changed are folded again (articles that pointed
    to one of them keep doing so until ``restory``). Tables left by an older version of
    gigawatch are rebuilt from every stored article first (they hold only derived data);
    signatures computed with other ``[near_duplicates]`` settings raise
    :class:`StaleDedupeState` (run ``gigawatch restory``).
    """
    t0 = time.monotonic()
    config = config or load_config()
    summary = DedupeSummary()
    ids = sorted(set(int(i) for i in article_ids))
    if not ids:
        return summary
    try:
        _check_state(con, config)
    except StaleDedupeState as exc:
        if exc.kind != "schema":
            raise
        LOG.warning("%s; rebuilding the dedupe state from every stored article now", exc)
        rebuilt = rebuild(con, config)
        batch = set(ids)
        rebuilt.duplicates_of = {a: d for a, d in rebuilt.duplicates_of.items() if a in batch}
        return rebuilt
    docs = _rows_by_id(con, "batch_docs", ids)
    docs.sort(key=lambda r: (r[3], r[0]))
    texts = [text for _aid, _title, text, _seen, _h, _s in docs]
    sig = _signatures(texts, config, _workers(config))
    keep = []
    changed = []
    for i, (aid, _title, _text, seen, folded_hash, folded_seen) in enumerate(docs):
        if folded_hash is None:
            keep.append(i)
        elif folded_hash != int(sig.text_hash[i]) or folded_seen != seen:
            keep.append(i)
            changed.append(aid)
        else:
            summary.unchanged += 1
    if changed:
        _run(con, "forget", ids=changed)
    if not keep:
        summary.seconds = round(time.monotonic() - t0, 3)
        return summary
    idx = np.asarray(keep, dtype=np.int64)
    batch = Batch(
        ids=[docs[i][0] for i in keep],
        seen=[docs[i][3] for i in keep],
        titles=[docs[i][1] for i in keep],
        sig=sig.take(idx),
        heads=[_head(docs[i][2]) for i in keep],
    )
    _fold(con, batch, config, summary, repoint=changed)
    summary.seconds = round(time.monotonic() - t0, 3)
    return summary


def rebuild(
    con: duckdb.DuckDBPyConnection,
    config: DedupeConfig | None = None,
    batch_size: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> DedupeSummary:
    """Drop the dedupe state and fold every stored article again, in first-seen order.

    Runs in the caller's transaction (readers see the old state until it commits).
    ``on_progress(done, total)`` counts signatures computed, then articles folded
    (``total`` is twice the number of articles). DuckDB's ``memory_limit`` is lowered to
    ``[rebuild] memory_limit`` meanwhile (reading every text would otherwise fill its cache
    up to 80% of RAM), then restored.
    """
    t0 = time.monotonic()
    config = config or load_config()
    previous = _rows(con, "memory_limit")[0][0]
    if config.memory_limit:
        _run(con, "set_memory_limit", limit=config.memory_limit)
    try:
        summary = _rebuild(con, config, batch_size or config.batch_size,
                           workers or _workers(config), on_progress)  # fmt: skip
    finally:
        if config.memory_limit:
            _run(con, "set_memory_limit", limit=previous)
    summary.seconds = round(time.monotonic() - t0, 3)
    return summary


def _rebuild(
    con: duckdb.DuckDBPyConnection,
    config: DedupeConfig,
    batch_size: int,
    workers: int,
    on_progress: Callable[[int, int], None] | None,
) -> DedupeSummary:
    _reset_state(con, config)
    order = _rows(con, "order")
    n = len(order)
    summary = DedupeSummary()
    if not n:
        return summary
    ids = np.fromiter((r[0] for r in order), dtype=np.int64, count=n)
    seen = [r[1] for r in order]
    del order
    position = np.argsort(ids, kind="stable")
    sorted_ids = ids[position]
    titles: list[str | None] = [None] * n
    heads: list[str | None] = [None] * n  # the start of each text, until its batch is folded
    # row i of these arrays = article i in first-seen order
    sig = Signatures.zeros(n, config)
    ready = np.zeros(n, dtype=bool)
    progress = {"computed": 0, "folded": 0}

    def report() -> None:
        if on_progress:
            on_progress(progress["computed"] + progress["folded"], 2 * n)

    def collect(pos: np.ndarray, result: Signatures) -> None:
        sig.put(pos, result)
        ready[pos] = True
        progress["computed"] += len(pos)
        report()

    def lookup(article_ids: list[int]) -> np.ndarray:
        wanted = np.asarray(article_ids, dtype=np.int64)
        return sig.minhash[position[np.searchsorted(sorted_ids, wanted)]]

    def fold_ready(final: bool = False) -> None:
        """Fold, in first-seen order, the batches whose signatures are all computed."""
        while progress["folded"] < n:
            lo = progress["folded"]
            hi = min(lo + batch_size, n)
            if not final and not ready[lo:hi].all():
                return
            batch = Batch(ids[lo:hi].tolist(), seen[lo:hi], titles[lo:hi],
                          sig.take(slice(lo, hi)), heads[lo:hi])  # fmt: skip
            _fold(con, batch, config, summary, signatures=lookup)
            heads[lo:hi] = [None] * (hi - lo)
            progress["folded"] = hi
            report()

    # Signatures of every article, read in storage order and computed over a process pool,
    # while this process folds, in first-seen order, every batch whose signatures are all in
    # (storage order is usually close to first-seen order). Texts are streamed through a
    # second connection, as this one writes.
    pool = parallel.process_pool(workers) if workers > 1 and n >= PARALLEL_FROM else None
    reader = con.cursor()

    def chunks() -> Iterator[tuple[np.ndarray, tuple[list[str | None], DedupeConfig]]]:
        reader.execute(read_sql("dedupe/texts"))
        while True:
            rows = reader.fetchmany(POOL_CHUNK)
            if not rows:
                return
            chunk_ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            pos = position[np.searchsorted(sorted_ids, chunk_ids)]
            for p, r in zip(pos.tolist(), rows, strict=True):
                titles[p] = r[1]
                heads[p] = _head(r[2])
            texts = [r[2] for r in rows]
            del rows
            yield pos, (texts, config)

    try:
        # the workers stay busy while this process folds
        in_flight = QUEUE_PER_WORKER * workers
        for pos, result in parallel.bounded_map(pool, compute_chunk, chunks(), in_flight):
            collect(pos, result)
            fold_ready()
    finally:
        reader.close()
        if pool is not None:
            pool.shutdown()
    missing = np.flatnonzero(~ready)
    if len(missing):
        # documents this connection's transaction sees but the reader did not (stored by the
        # caller in the same, uncommitted, transaction)
        wanted = ids[missing].tolist()
        rows = {r[0]: r for r in _rows_by_id(con, "batch_docs", wanted)}
        for i, aid in zip(missing.tolist(), wanted, strict=True):
            titles[i] = rows[aid][1]
            heads[i] = _head(rows[aid][2])
        collect(missing, compute([rows[aid][2] for aid in wanted], config))
    fold_ready(final=True)
    return summary


# --- folding -------------------------------------------------------------------------------


def _fold(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    config: DedupeConfig,
    summary: DedupeSummary,
    repoint: Sequence[int] = (),
    signatures: SignatureLookup | None = None,
) -> None:
    """Fold one batch (first-seen order) against the history and itself, and store it."""
    n = len(batch)
    ids = batch.ids
    sig = batch.sig
    pos = {aid: i for i, aid in enumerate(ids)}

    # the batch in a temporary table, one row per article (bucket keys as one hex string)
    eligible = sig.eligible.tolist()
    _run(con, "batch_tables")
    _append(con, "_dd_batch", zip(
        ids, batch.seen, sig.text_hash.tolist(), sig.n_words.tolist(), eligible,
        [sig.minhash[i].astype("<u4").tobytes() if eligible[i] else None for i in range(n)],
        [hex_keys(sig.buckets[i]) if eligible[i] else "" for i in range(n)],
        strict=True,
    ))  # fmt: skip
    _run(con, "batch_buckets")
    # candidates from the history and the batch, by joins on the batch's hashes and buckets
    candidates: dict[int, set[int]] = {}
    for a, b in _rows(con, "candidates", min_words=config.min_words):
        candidates.setdefault(a, set()).add(b)  # earlier ones only, checked by grouping

    # what the history knows of the candidates and of their groups' first-seen articles
    known: dict[int, Known] = {}
    _load_known(con, {b for bs in candidates.values() for b in bs if b not in pos}, known,
                signatures)  # fmt: skip
    _load_known(con, {k.duplicate_of for k in known.values() if k.duplicate_of} - set(known),
                known, signatures)  # fmt: skip
    grouping = group_duplicates(batch, candidates, known, config)

    # signatures and buckets of the batch
    exact = [a for a, m in grouping.method.items() if m == "exact"]
    _run(con, "batch_store", exact=exact)

    assignment = _stories(con, batch, config, grouping, known)

    _append(con, "article_dedupe", (
        (aid, grouping.duplicate_of.get(aid), grouping.method.get(aid),
         grouping.similarity.get(aid), assignment.story_of[aid], assignment.score.get(aid))
        for aid in ids
    ))  # fmt: skip
    for move in regroups(batch, grouping, known, assignment):
        _regroup(con, move.old, move.new, move.new_hash, move.new_minhash, move.story)
    for aid in repoint:
        if aid in grouping.duplicate_of:  # a re-extracted first-seen article is now a copy
            _run(con, "repoint", new=grouping.duplicate_of[aid], old=aid)
    _run(con, "drop_temp")

    summary.articles += n
    summary.exact += len(exact)
    summary.near += sum(1 for m in grouping.method.values() if m == "near")
    summary.originals += n - len(grouping.duplicate_of)
    summary.regrouped += sum(len(groups) for groups in grouping.absorbed.values())
    summary.stories_new += assignment.started
    summary.stories_joined += assignment.joined
    summary.duplicates_of.update(grouping.duplicate_of)


def _load_known(
    con: duckdb.DuckDBPyConnection,
    ids: set[int],
    known: dict[int, Known],
    signatures: SignatureLookup | None = None,
) -> None:
    """What the history holds of ``ids``; signatures from ``signatures`` when given (restory
    keeps every signature in memory), else read from ``doc_signatures``."""
    if not ids:
        return
    if signatures is None:
        for aid, seen_at, th, blob, dup, story in _rows_by_id(con, "history", sorted(ids)):
            known[aid] = Known(seen_at, th, _unblob(blob), dup, story)
        return
    rows = _rows_by_id(con, "history_meta", sorted(ids))
    sigs = signatures([r[0] for r in rows])
    for (aid, seen_at, th, dup, story), minhash in zip(rows, sigs, strict=True):
        known[aid] = Known(seen_at, th, minhash, dup, story)


def _regroup(
    con: duckdb.DuckDBPyConnection,
    old: int,
    new: int,
    new_hash: int,
    new_sig: np.ndarray | None,
    story: int,
) -> None:
    """The duplicate group of ``old`` joins the group of ``new``, published before it: its
    articles point to ``new``, take its story, and their verdicts are recomputed."""
    left = [r[0] for r in _rows(con, "regroup_left", old=old, story=story)]
    _run(con, "regroup", old=old, new=new, story=story)
    rows = []
    for aid, th, blob in _rows(con, "group", root=new):
        v = verdict(new_hash, new_sig, th, _unblob(blob))
        if v is not None:
            rows.append((aid, *v))
    exact = [a for a, m, _s in rows if m == "exact"]
    if exact:
        _run(con, "forget_buckets", ids=exact)
    for aid, m, s in rows:
        _run(con, "set_verdict", method=m, similarity=s, id=aid)
    # a story the group left keeps the name of its first remaining article
    for gone in left:
        first = _rows(con, "story_first", story=gone)
        if first and first[0][0] != gone:
            _run(con, "relabel_story", new=first[0][0], old=gone)


# --- stories -------------------------------------------------------------------------------


def _stories(
    con: duckdb.DuckDBPyConnection,
    batch: Batch,
    config: DedupeConfig,
    grouping: Grouping,
    known: dict[int, Known],
) -> Assignment:
    """Story of each article of the batch (``grouping.assign_stories``); stores the batch's
    story index and re-labels the history stories an earlier article joined."""
    ids = batch.ids
    originals = [aid for aid in ids if aid not in grouping.duplicate_of]
    feats = _features(con, batch, originals)
    batch_keys = {aid: stories.keys(feats[aid]) for aid in originals}
    _run(con, "story_tables")
    _append(con, "_dd_story", (
        (aid, feats[aid].seen_at, *feats[aid].encode(), "".join(batch_keys[aid]))
        for aid in originals
    ))  # fmt: skip
    _run(con, "story_keys")
    window = timedelta(days=config.story_window_days)
    pos = set(ids)
    history = StoryHistory()
    if any(batch_keys.values()):
        lo, hi = min(batch.seen) - window, max(batch.seen) + window
        pairs = _rows(con, "story_candidates", lo=lo, hi=hi, window=window.total_seconds())
        for a, b in pairs:
            if b not in pos:
                history.candidates.setdefault(a, set()).add(b)
        wanted = sorted({b for bs in history.candidates.values() for b in bs})
        if wanted:
            for aid, seen_at, weights, title, lead, story in _rows(
                con, "story_members", ids=wanted, lo=lo, hi=hi
            ):
                history.features[aid] = stories.StoryFeatures.decode(
                    aid, seen_at, weights, title, lead
                )
                history.story_of[aid] = story
    # stories reached through the history: their first-seen time
    needed = stories_to_date(grouping, known, history)
    story_start: dict[int, tuple[datetime, int]] = {}
    if needed:
        for aid, seen_at in _rows_by_id(con, "seen", sorted(needed)):
            story_start[aid] = (seen_at, aid)
    assignment = assign_stories(
        batch, grouping, known, feats, batch_keys, history, story_start, config
    )
    _run(con, "story_store")
    for old, new in assignment.relabel.items():
        _run(con, "relabel_story", new=new, old=old)
    return assignment


def _features(
    con: duckdb.DuckDBPyConnection, batch: Batch, originals: list[int]
) -> dict[int, stories.StoryFeatures]:
    """Story features of the batch's originals, from their tags, titles and leads."""
    mentions: dict[int, list] = {}
    facts: dict[int, list] = {}
    starts: dict[int, list[int]] = {}
    if originals:
        for aid, kind, name, count in _rows(con, "mentions", ids=originals):
            mentions.setdefault(aid, []).append((kind, name, count))
        for aid, kind, value, usd, start in _rows(con, "facts", ids=originals):
            facts.setdefault(aid, []).append((kind, value, usd))
            starts.setdefault(aid, []).append(start)
    pos = {aid: i for i, aid in enumerate(batch.ids)}
    matcher = _lead_matcher()
    out = {}
    for aid in originals:
        i = pos[aid]
        title = batch.titles[i]
        lead = None
        if batch.heads is not None:
            head = batch.heads[i]
            end = lead_end(head)
            names = {f"{m[0][0]}:{m[1]}": m[1] for m in mentions.get(aid, ())}
            named = matcher.named(lead_text(title, head), set(names.values()))
            lead = stories.Lead(
                frozenset(k for k, n in names.items() if n in named),
                _prefix_before(starts.get(aid, []), end),
            )
        out[aid] = stories.features(aid, batch.seen[i], title, mentions.get(aid, ()),
                                    facts.get(aid, ()), lead)  # fmt: skip
    return out


def _prefix_before(starts: list[int], end: int) -> int:
    """How many of the first figures (in order) start before ``end``."""
    return next((i for i, s in enumerate(starts) if s >= end), len(starts))


def _head(text: str | None) -> str | None:
    """The part of a text its lead may cover (``gigawatch/dedupe/lead.py``)."""
    return None if text is None else text[: LEAD_MAX + 1]


@functools.cache
def _lead_matcher() -> LeadMatcher:
    """Names and aliases of the run's taxonomy (``$GIGAWATCH_TAXONOMY`` or the bundled one),
    read once per process; canonical names alone when it cannot be read."""
    path = taxonomy_path() or DEFAULT_TAXONOMY
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        LOG.warning("story leads match canonical names only: %s: %s", path, exc)
        return LeadMatcher()
    return LeadMatcher(taxonomy_aliases(data))
