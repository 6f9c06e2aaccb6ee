"""Fold duplicates and group stories, incrementally, with the state kept in DuckDB.

``fold_batch`` compares a batch of newly stored articles with the history through the LSH
bucket and story-key tables (joins on the batch's keys), so its cost follows the batch, not the
history. Re-running a batch changes nothing (folded articles are skipped). ``rebuild`` clears
the state and folds every stored article again in first-seen order (``gigawatch restory``).
The caller owns the transaction.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import duckdb
import numpy as np

from gigawatch import stories
from gigawatch.dedupe import DedupeConfig, compute, load_config, similarity
from warehouse.db import read_sql

PARALLEL_FROM = 400  # batches at least this large compute signatures over a process pool


@dataclass
class DedupeSummary:
    articles: int = 0
    exact: int = 0
    near: int = 0
    stories_new: int = 0
    stories_joined: int = 0
    duplicates_of: dict[int, int] = field(default_factory=dict, repr=False)

    def add(self, other: DedupeSummary) -> None:
        self.articles += other.articles
        self.exact += other.exact
        self.near += other.near
        self.stories_new += other.stories_new
        self.stories_joined += other.stories_joined


def _rows(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> list[tuple]:
    return con.execute(read_sql(name), params).fetchall()


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, list]) -> None:
    """Bulk insert column lists with one statement (DuckDB zips parallel unnests)."""
    if not columns or not next(iter(columns.values())):
        return
    names = ", ".join(columns)
    unnests = ", ".join(f"unnest(${name})" for name in columns)
    con.execute(f"INSERT INTO {table} ({names}) SELECT {unnests}", columns)


_POOL: ProcessPoolExecutor | None = None


def _pool() -> ProcessPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ProcessPoolExecutor(max_workers=os.cpu_count() or 2)
        atexit.register(_POOL.shutdown)
    return _POOL


def _signatures(items: list[tuple[int, str]], config: DedupeConfig) -> list[tuple]:
    workers = os.cpu_count() or 1
    if len(items) < PARALLEL_FROM or workers < 2:
        return compute(items, config)
    size = -(-len(items) // workers)
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    parts = _pool().map(compute, chunks, [config] * len(chunks))
    return [row for part in parts for row in part]


def fold_batch(
    con: duckdb.DuckDBPyConnection, article_ids: list[int], config: DedupeConfig | None = None
) -> DedupeSummary:
    """Mark duplicates and assign stories for newly stored articles (idempotent)."""
    config = config or load_config()
    summary = DedupeSummary()
    docs = _rows(con, "dedupe_batch_docs", ids=list(article_ids))
    if not docs:
        return summary
    summary.articles = len(docs)
    seen = {aid: seen_at for aid, _text, _title, seen_at in docs}
    sigs = _signatures([(aid, text) for aid, text, _t, _s in docs], config)
    _insert(con, "doc_signatures", {
        "article_id": [r[0] for r in sigs],
        "text_hash": [r[1] for r in sigs],
        "minhash": [r[2] for r in sigs],
        "seen_at": [seen[r[0]] for r in sigs],
    })  # fmt: skip
    _insert(con, "lsh_buckets", {
        "bucket": [key for r in sigs for key in r[3]],
        "article_id": [r[0] for r in sigs for _key in r[3]],
    })  # fmt: skip
    new_ids = [aid for aid, *_ in docs]
    duplicate_of, method, sim = _duplicates(con, new_ids, seen, config)
    summary.exact = sum(1 for m in method.values() if m == "exact")
    summary.near = sum(1 for m in method.values() if m == "near")
    story_of, story_score = _stories(con, new_ids, duplicate_of, config, summary)
    con.execute(
        "DELETE FROM article_dedupe WHERE article_id IN (SELECT unnest($ids))", {"ids": new_ids}
    )
    _insert(con, "article_dedupe", {
        "article_id": new_ids,
        "duplicate_of": [duplicate_of.get(a) for a in new_ids],
        "method": [method.get(a) for a in new_ids],
        "similarity": [sim.get(a) for a in new_ids],
        "story_id": [story_of[a] for a in new_ids],
        "story_score": [story_score.get(a) for a in new_ids],
    })  # fmt: skip
    summary.duplicates_of = dict(duplicate_of)
    return summary


def _duplicates(
    con: duckdb.DuckDBPyConnection,
    new_ids: list[int],
    seen: dict[int, Any],
    config: DedupeConfig,
) -> tuple[dict[int, int], dict[int, str], dict[int, float]]:
    """Duplicate groups of the batch: each new duplicate points to its group's first-seen."""
    pairs = _rows(con, "dedupe_candidates", ids=new_ids)
    if not pairs:
        return {}, {}, {}
    involved = sorted({x for pair in pairs for x in pair})
    sig = {aid: (th, np.asarray(mh, dtype=np.uint64), s)
           for aid, th, mh, s in _rows(con, "dedupe_signatures", ids=involved)}  # fmt: skip
    verdict = {aid: dup for aid, dup, _story in _rows(con, "dedupe_verdicts", ids=involved)}
    roots = sorted({dup for dup in verdict.values() if dup is not None} - set(sig))
    for aid, th, mh, s in _rows(con, "dedupe_signatures", ids=roots):
        sig[aid] = (th, np.asarray(mh, dtype=np.uint64), s)
    matches: dict[int, list[tuple[int, str, float]]] = {}
    for a, b in pairs:
        if sig[a][0] == sig[b][0]:
            matches.setdefault(a, []).append((b, "exact", 1.0))
            continue
        s = similarity(sig[a][1], sig[b][1])
        if s >= config.near_dup_threshold:
            matches.setdefault(a, []).append((b, "near", s))
    order = {aid: (sig[aid][2], aid) for aid in sig}
    duplicate_of: dict[int, int] = {}
    method: dict[int, str] = {}
    sims: dict[int, float] = {}
    for a in sorted(matches, key=lambda x: order[x]):
        # the group's root: the earliest of the matched articles' own roots
        roots = {verdict.get(b) or duplicate_of.get(b) or b for b, _m, _s in matches[a]}
        root = min(roots | {a}, key=lambda x: (sig[x][2], x))
        if root == a:
            # a backfilled original arrives after its copies: the copies now point to it
            for old in roots - {a}:
                con.execute(
                    "UPDATE article_dedupe SET duplicate_of = $new WHERE duplicate_of = $old",
                    {"new": a, "old": old},
                )
                exact = sig[a][0] == sig[old][0]
                con.execute(
                    "UPDATE article_dedupe SET duplicate_of = $new, method = $method, "
                    "similarity = $sim WHERE article_id = $old",
                    {"new": a, "old": old, "method": "exact" if exact else "near",
                     "sim": 1.0 if exact else similarity(sig[a][1], sig[old][1])},
                )  # fmt: skip
            continue
        best = max(matches[a], key=lambda m: (m[2], m[1] == "exact"))
        duplicate_of[a] = root
        method[a] = best[1]
        sims[a] = best[2]
    return duplicate_of, method, sims


def _stories(
    con: duckdb.DuckDBPyConnection,
    new_ids: list[int],
    duplicate_of: dict[int, int],
    config: DedupeConfig,
    summary: DedupeSummary,
) -> tuple[dict[int, int], dict[int, float]]:
    """Assign each new article a story: its original's for duplicates, else the best match."""
    originals = [aid for aid in new_ids if aid not in duplicate_of]
    feats = {row[0]: stories.features(*row) for row in _rows(con, "dedupe_features", ids=originals)}
    key_rows = [(key, aid, f.seen_at.date()) for aid, f in feats.items() for key in stories.keys(f)]
    _insert(con, "story_keys", {
        "key": [r[0] for r in key_rows],
        "article_id": [r[1] for r in key_rows],
        "day": [r[2] for r in key_rows],
    })  # fmt: skip
    pairs = _rows(con, "dedupe_story_candidates", ids=originals, window=config.story_window_days)
    candidates: dict[int, set[int]] = {}
    for a, b in pairs:
        candidates.setdefault(a, set()).add(b)
    others = sorted({b for bs in candidates.values() for b in bs} - set(feats))
    if others:
        for row in _rows(con, "dedupe_features", ids=others):
            feats[row[0]] = stories.features(*row)
    story_of = {aid: story for aid, _dup, story in _rows(con, "dedupe_verdicts", ids=others)}
    story_score: dict[int, float] = {}
    window = timedelta(days=config.story_window_days)
    for aid in sorted(originals, key=lambda x: (feats[x].seen_at, x)):
        # the best-scoring earlier article; ties go to the earliest
        best: tuple[float, float, int] | None = None
        for other in candidates.get(aid, ()):
            if other not in story_of:  # not assigned yet: a later article of this batch
                continue
            if abs(feats[other].seen_at - feats[aid].seen_at) > window:
                continue
            s = stories.score(feats[aid], feats[other])
            if s >= config.story_threshold:
                key = (s, -feats[other].seen_at.timestamp(), -other)
                if best is None or key > best:
                    best = key
        if best is None:
            story_of[aid] = aid
            summary.stories_new += 1
        else:
            story_of[aid] = story_of[-best[2]]
            story_score[aid] = round(best[0], 3)
            summary.stories_joined += 1
    for aid, root in duplicate_of.items():
        if root not in story_of:
            row = con.execute(
                "SELECT story_id FROM article_dedupe WHERE article_id = ?", [root]
            ).fetchone()
            story_of[root] = row[0] if row else root
        story_of[aid] = story_of[root]
    return story_of, story_score


def rebuild(
    con: duckdb.DuckDBPyConnection,
    config: DedupeConfig | None = None,
    batch_size: int = 5000,
    on_progress: Callable[[int, int], None] | None = None,
) -> DedupeSummary:
    """Clear all dedupe state and fold every stored article again, in first-seen order."""
    config = config or load_config()
    con.execute(read_sql("dedupe_clear"))
    ids = [r[0] for r in con.execute(
        "SELECT article_id FROM documents "
        "ORDER BY coalesce(published_at, fetched_at), article_id"
    ).fetchall()]  # fmt: skip
    total = DedupeSummary()
    for i in range(0, len(ids), batch_size):
        total.add(fold_batch(con, ids[i : i + batch_size], config))
        if on_progress:
            on_progress(min(i + batch_size, len(ids)), len(ids))
    return total
