"""Duplicates and stories on the demo site after a real ingest (ground truth: the manifest's
story and repost keys), plus idempotence, rebuild = incremental, and a backfilled original.
Hand-written fixtures are in test_dedupe_fixtures.py; units in test_dedupe_signatures.py and
test_stories.py."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from itertools import combinations
from urllib.parse import urlsplit

from warehouse import db as wh
from warehouse import schema
from warehouse.dedupe_store import fold_batch, rebuild


def _verdicts(con) -> dict[tuple[str, str], tuple]:
    rows = con.execute(
        "SELECT source, url, article_id, duplicate_of, story_id FROM articles"
    ).fetchall()
    return {(s, urlsplit(u).path): (aid, dup, story) for s, u, aid, dup, story in rows}


def _pair_scores(manifest, verdicts) -> tuple[float, float]:
    tp = fp = fn = 0
    for a, b in combinations(manifest, 2):
        truth = a["story"] == b["story"]
        same = verdicts[(a["outlet"], a["path"])][2] == verdicts[(b["outlet"], b["path"])][2]
        tp += same and truth
        fp += same and not truth
        fn += truth and not same
    return tp / (tp + fp), tp / (tp + fn)


def test_story_precision_and_recall_on_the_demo_site(ro, manifest):
    precision, recall = _pair_scores(manifest, _verdicts(ro))
    assert precision >= 0.9, precision
    assert recall >= 0.9, recall


def test_the_repost_points_to_its_original_and_nothing_else_is_a_duplicate(ro, manifest):
    verdicts = _verdicts(ro)
    reposts = [a for a in manifest if a.get("repost_of")]
    assert reposts
    for art in reposts:
        original = verdicts[(art["repost_of_outlet"], art["repost_of"])]
        assert verdicts[(art["outlet"], art["path"])][1] == original[0]
        assert original[1] is None
        assert verdicts[(art["outlet"], art["path"])][2] == original[2]  # same story
    duplicates = [k for k, v in verdicts.items() if v[1] is not None]
    assert len(duplicates) == len(reposts)


def test_named_traps(ro, manifest):
    verdicts = _verdicts(ro)
    amd = {
        verdicts[(a["outlet"], a["path"])][2] for a in manifest if a["story"] == "openai-amd-6gw"
    }
    assert len(amd) == 1  # English, French and German tellings: one story
    story = ro.execute("SELECT * FROM stories WHERE story_id = ?", [amd.pop()]).fetchone()
    cols = [d[0] for d in ro.description]
    row = dict(zip(cols, story, strict=True))
    assert row["n_sources"] == 4 and set(row["languages"]) >= {"en", "fr", "de"}
    # Microsoft and Nscale: a UK deal and, a month later, a GB300 deal — two stories
    nscale = [a for a in manifest if a["story"].startswith(("microsoft-nscale", "nscale"))]
    assert len({a["story"] for a in nscale}) == 2
    assert len({verdicts[(a["outlet"], a["path"])][2] for a in nscale}) == 2


def test_url_variants_are_one_article(ro, manifest):
    with_variants = [a for a in manifest if a.get("variants")]
    assert with_variants
    n = ro.execute(
        "SELECT count(*) FROM articles WHERE url LIKE '%utm_%' OR url LIKE '%/'"
    ).fetchone()
    assert n == (0,)
    assert ro.execute("SELECT count(*) FROM articles").fetchone()[0] == len(manifest)


def _state(con) -> list:
    return (
        con.execute(
            "SELECT article_id, duplicate_of, method, story_id FROM article_dedupe ORDER BY 1"
        ).fetchall()
        + con.execute(
            "SELECT count(*) FROM lsh_buckets UNION ALL SELECT count(*) FROM story_keys"
        ).fetchall()
    )


def test_refolding_changes_nothing_and_rebuild_equals_incremental(ingested, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copy(ingested["db"], db)
    con = wh.connect(db)
    try:
        before = _state(con)
        ids = [r[0] for r in con.execute("SELECT article_id FROM documents").fetchall()]
        summary = fold_batch(con, ids)
        assert summary.articles == 0
        assert _state(con) == before
        rebuilt = rebuild(con, batch_size=7)  # many small batches, in first-seen order
        assert rebuilt.articles == len(ids)
        after = _state(con)
        assert [r[:2] + r[3:] for r in after[:-2]] == [r[:2] + r[3:] for r in before[:-2]]
    finally:
        con.close()


def _insert(con, article_id: int, title: str, text: str, when: datetime, source: str) -> None:
    con.execute(
        "INSERT INTO documents (article_id, url, source, fetch_id, body_sha1, title, "
        "published_at, language, text, fetched_at, extracted_at, extractor) "
        "VALUES (?, ?, ?, 'f', 's', ?, ?, 'en', ?, ?, ?, 'test')",
        [article_id, f"https://{source}.example/{article_id}", source, title, when, text, when,
         when],
    )  # fmt: skip


def test_a_backfilled_original_becomes_the_first_seen(tmp_path):
    db = tmp_path / "w.duckdb"
    schema.ensure_schema(db)
    base = (
        "Grid operators in the Nordic region approved a new interconnector on Tuesday, "
        "linking three data-centre campuses to hydropower plants along the coast. "
    ) * 6
    con = wh.connect(db)
    try:
        _insert(con, 1, "Copy", "Syndicated. " + base, datetime(2025, 10, 5, tzinfo=UTC), "b")
        _insert(con, 2, "Exact", base, datetime(2025, 10, 6, tzinfo=UTC), "c")
        fold_batch(con, [1, 2])
        dup = dict(con.execute("SELECT article_id, duplicate_of FROM article_dedupe").fetchall())
        assert dup == {1: None, 2: 1}
        # the original, published earlier, arrives later through a backfill
        _insert(con, 3, "Original", base, datetime(2025, 10, 4, tzinfo=UTC), "a")
        fold_batch(con, [3])
        rows = con.execute("SELECT article_id, duplicate_of, method FROM article_dedupe ORDER BY 1")
        assert rows.fetchall() == [(1, 3, "near"), (2, 3, "exact"), (3, None, None)]
    finally:
        con.close()
