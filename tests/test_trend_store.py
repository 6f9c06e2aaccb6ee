"""The trend tables behind the trend views (warehouse/trend_store.py): kept batch by batch,
they hold what a rebuild from every stored article gives, including when a later batch
changes the stories of earlier articles (a backfilled original, a re-extracted text)."""

from __future__ import annotations

import duckdb
import pytest

from tests.test_dedupe_fixtures import ARTICLES, BY_KEY, insert, rewrite_digest_as_regatta_copy
from warehouse import db as wh
from warehouse import schema, trend_store
from warehouse.dedupe_store import fold_batch
from warehouse.tags import retag

ORDER = {
    "trend_docs": "article_id",
    "trend_mentions": "article_id, kind, name",
    "trend_weekly": "week, kind, name",
    "trend_story_orgs": "story_id, name",
    "trend_cooccurrence": "month, org_a, org_b",
    "trend_deals": "story_id, kind",
    "trend_story_members": "article_id",
    "trend_stories": "story_id",
}

# what the `stories` view computed from every folded article before it read trend_stories
DIRECT_STORIES = """
SELECT
    v.story_id,
    min(coalesce(d.published_at, d.fetched_at)),
    max(coalesce(d.published_at, d.fetched_at)),
    arg_min(d.title, (coalesce(d.published_at, d.fetched_at), d.article_id)),
    count(*),
    count(DISTINCT d.source),
    list(DISTINCT coalesce(t.language, d.language) ORDER BY coalesce(t.language, d.language))
FROM article_dedupe AS v
JOIN documents AS d USING (article_id)
LEFT JOIN article_tags AS t USING (article_id)
GROUP BY v.story_id
ORDER BY v.story_id
"""


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY {ORDER[t]}").fetchall() for t in ORDER}


def rebuilt(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """What a rebuild would hold, without keeping it."""
    con.execute("BEGIN TRANSACTION")
    try:
        trend_store.rebuild(con)
        return snapshot(con)
    finally:
        con.execute("ROLLBACK")


def ingest(con: duckdb.DuckDBPyConnection, ids: list[int]) -> trend_store.TrendRefresh:
    """Fold and refresh one batch in one transaction, as flows/pipeline.store does."""
    con.execute("BEGIN TRANSACTION")
    fold_batch(con, ids)
    result = trend_store.refresh(con, ids)
    con.execute("COMMIT")
    return result


def ingest_both_batches(con: duckdb.DuckDBPyConnection) -> list[trend_store.TrendRefresh]:
    out = []
    for batch in (1, 2):
        ids = insert(con, [a for a in ARTICLES if a["batch"] == batch])
        out.append(ingest(con, ids))
    return out


def test_batch_by_batch_equals_a_rebuild(con):
    first, second = ingest_both_batches(con)
    got = snapshot(con)
    assert got == rebuilt(con)
    assert all(got[t] for t in ORDER if t != "trend_cooccurrence") and got["trend_cooccurrence"]
    # batch 2 brings gl-amd, the original of three copies stored in batch 1: the copies and
    # their story are recomputed although they are not in the batch
    batch2 = [a["id"] for a in ARTICLES if a["batch"] == 2]
    assert second.articles > len(batch2)
    assert first.articles == sum(1 for a in ARTICLES if a["batch"] == 1)
    amd = BY_KEY["gl-amd"]["id"]
    story = con.execute(
        "SELECT story_id FROM article_dedupe WHERE article_id = ?", [amd]
    ).fetchone()[0]
    stories = {r[0] for r in con.execute("SELECT story_id FROM trend_docs").fetchall()}
    assert story in stories
    # no article is counted twice, and duplicates are not counted
    n, distinct = con.execute(
        "SELECT count(*), count(DISTINCT article_id) FROM trend_docs"
    ).fetchone()
    assert n == distinct
    dups = con.execute(
        "SELECT count(*) FROM trend_docs JOIN article_dedupe USING (article_id) "
        "WHERE duplicate_of IS NOT NULL"
    ).fetchone()[0]
    assert dups == 0


def test_views_read_the_tables(con):
    ingest_both_batches(con)
    weekly = con.execute("SELECT sum(articles) FROM org_weekly").fetchone()[0]
    direct = con.execute("SELECT count(*) FROM trend_mentions WHERE kind = 'org'").fetchone()[0]
    assert weekly == direct > 0
    deals = con.execute("SELECT count(*) FROM deals").fetchone()[0]
    assert deals == con.execute("SELECT count(*) FROM trend_deals").fetchone()[0] > 0
    # each story counts once per kind in the ledger
    n, distinct = con.execute(
        "SELECT count(*), count(DISTINCT (story_id, kind)) FROM deals"
    ).fetchone()
    assert n == distinct


def test_a_changed_text_refreshes_the_stories_it_leaves_and_joins(con):
    ingest_both_batches(con)
    digest = rewrite_digest_as_regatta_copy(con)
    before = snapshot(con)
    ingest(con, [digest["id"]])
    after = snapshot(con)
    assert after != before
    assert after == rebuilt(con)


def test_the_stories_view_equals_the_direct_query_batch_after_batch(con):
    ids = []
    for batch in (1, 2):
        batch_ids = insert(con, [a for a in ARTICLES if a["batch"] == batch])
        ingest(con, batch_ids)
        ids += batch_ids
        got = con.execute("SELECT * FROM stories ORDER BY story_id").fetchall()
        assert got == con.execute(DIRECT_STORIES).fetchall()
        assert (
            len(got)
            == con.execute("SELECT count(DISTINCT story_id) FROM article_dedupe").fetchone()[0]
        )
    # a re-extracted text moves an article to another story: both stories are recomputed
    digest = rewrite_digest_as_regatta_copy(con)
    ingest(con, [digest["id"]])
    assert (
        con.execute("SELECT * FROM stories ORDER BY story_id").fetchall()
        == con.execute(DIRECT_STORIES).fetchall()
    )


def test_refreshing_again_changes_nothing(con):
    ingest_both_batches(con)
    before = snapshot(con)
    result = ingest(con, [])
    assert result.articles == 0 and result.stories == 0
    ingest(con, [a["id"] for a in ARTICLES])
    assert snapshot(con) == before


@pytest.mark.parametrize("noticed_by", ["migrate", "batch refresh"])
def test_stale_tables_are_rebuilt(con, noticed_by):
    ingest_both_batches(con)
    expected = snapshot(con)
    con.execute("DELETE FROM trend_weekly")
    con.execute("DELETE FROM trend_deals")
    if noticed_by == "migrate":
        # as after an upgrade that changed the SQL computing them
        con.execute("UPDATE derived_state SET version = 'older' WHERE name = 'trends'")
        schema.migrate(con)
    else:
        con.execute("DELETE FROM derived_state WHERE name = 'trends'")  # never computed
        con.execute("BEGIN TRANSACTION")
        assert trend_store.refresh(con, []).full
        con.execute("COMMIT")
    assert trend_store.stored_version(con) == trend_store.sql_version()
    assert snapshot(con) == expected


def test_a_failed_refresh_leaves_no_temporary_table(con, monkeypatch):
    ingest_both_batches(con)
    before = snapshot(con)
    monkeypatch.setattr(trend_store, "STEPS", ("trends_articles", "no_such_file"))
    con.execute("BEGIN TRANSACTION")
    with pytest.raises(FileNotFoundError):
        trend_store.refresh(con, [BY_KEY["gl-amd"]["id"]])
    con.execute("ROLLBACK")
    temp = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name LIKE '\\_tr\\_%' "
        "ESCAPE '\\'"
    ).fetchone()[0]
    assert temp == 0
    assert snapshot(con) == before


def test_retag_rebuilds_the_trend_tables(con, tmp_path):
    ingest_both_batches(con)
    con.close()
    db = tmp_path / "fixtures.duckdb"  # the file of the `con` fixture
    retag(db, workers=1)  # the real taxonomy: relevance and names change
    con2 = wh.connect(db)
    try:
        counted = con2.execute(
            "SELECT count(*) FROM article_tags AS t LEFT JOIN article_dedupe AS v "
            "USING (article_id) WHERE t.relevant AND v.duplicate_of IS NULL"
        ).fetchone()[0]
        assert con2.execute("SELECT count(*) FROM trend_docs").fetchone()[0] == counted
        assert snapshot(con2) == rebuilt(con2)
    finally:
        con2.close()
