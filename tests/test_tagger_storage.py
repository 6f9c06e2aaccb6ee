"""Tags in DuckDB: migration, views, bulk replacement, ingest-time tagging, re-tagging."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from gigawatch.tagger import ArticleTags, Fact, Mention
from gigawatch.taxonomy import DEFAULT_TAXONOMY
from warehouse import db as wh
from warehouse import schema
from warehouse.tags import retag, store_tags, tag_articles

DOCS = {
    1: ("Nvidia to invest in OpenAI",
        "OpenAI will deploy 10 GW of Nvidia systems. Nvidia invests up to $100 billion in OpenAI."),
    2: ("EDF et Nscale",
        "EDF fournira 1,5 GW à Nscale pour un centre de données de 2,5 milliards d'euros."),
    3: ("Pokal", "Der Verein gewann 2:1. Der Stürmer brach sich den Arm."),
}  # fmt: skip


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    schema.ensure_schema(path)
    now = datetime.now(UTC)
    with wh.writer(path) as con:
        for aid, (title, text) in DOCS.items():
            con.execute(
                "INSERT INTO documents (article_id, url, source, fetch_id, body_sha1, title, "
                "published_at, text, fetched_at, extracted_at, extractor) "
                "VALUES (?, ?, 'demo', 'f', 's', ?, ?, ?, ?, ?, 'test')",
                [aid, f"http://example.test/{aid}", title, now, text, now, now],
            )
    return path


def rows(path: Path, sql: str) -> list[tuple]:
    con = wh.connect(path, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_tag_articles_fills_tables_and_views(db: Path):
    with wh.writer(db) as con:
        assert tag_articles(con, [1, 2, 3]) == 3
    assert rows(db, "SELECT article_id, language, relevant FROM article_tags ORDER BY 1") == [
        (1, "en", True), (2, "fr", True), (3, "de", False),
    ]  # fmt: skip
    mentions = "SELECT kind, name, count FROM mentions WHERE article_id = 2 ORDER BY 1, 2"
    assert rows(db, mentions) == [
        ("org", "EDF", 2), ("org", "Nscale", 2), ("topic", "data centers", 1),
    ]  # fmt: skip
    assert rows(db, "SELECT count(*) FROM mentions WHERE article_id = 3") == [(0,)]
    facts = rows(
        db,
        "SELECT article_id, kind, value, unit, currency, amount_usd IS NOT NULL, qualifier, orgs "
        "FROM facts ORDER BY article_id, seq",
    )
    assert facts == [
        (1, "power", 10.0, "GW", None, False, None, ["OpenAI", "Nvidia"]),
        (1, "money", 100e9, "USD", "USD", True, "up_to", ["Nvidia", "OpenAI"]),
        (2, "power", 1.5, "GW", None, False, None, ["EDF", "Nscale"]),
        (2, "money", 2.5e9, "EUR", "EUR", True, None, ["EDF", "Nscale"]),
    ]
    (sentence,) = rows(db, "SELECT sentence FROM facts WHERE article_id = 1 AND seq = 0")[0]
    assert sentence == "OpenAI will deploy 10 GW of Nvidia systems."


def test_store_tags_replaces_rows_of_given_articles(db: Path):
    with wh.writer(db) as con:
        tag_articles(con, [1, 2])
    replacement = ArticleTags(
        language="en",
        mentions=[Mention("org", "AMD", 4)],
        facts=[Fact("stake", 10.0, "%", None, None, None, "AMD gets 10%.", (9, 12), ["AMD"])],
        relevance=0.7,
        relevant=True,
        taxonomy_version="test",
    )
    with wh.writer(db) as con:
        store_tags(con, [(1, replacement)])
    assert rows(db, "SELECT name, count FROM mentions WHERE article_id = 1") == [("AMD", 4)]
    facts = "SELECT kind, value, span_start, span_end, orgs FROM facts WHERE article_id = 1"
    assert rows(db, facts) == [
        ("stake", 10.0, 9, 12, ["AMD"]),
    ]  # fmt: skip
    assert rows(db, "SELECT taxonomy_version FROM article_tags WHERE article_id = 1") == [("test",)]
    assert rows(db, "SELECT count(*) FROM mentions WHERE article_id = 2") == [(3,)]  # untouched


def test_store_tags_rolls_back_with_the_transaction(db: Path):
    with wh.writer(db) as con:
        tag_articles(con, [1])
    with pytest.raises(RuntimeError), wh.writer(db) as con:
        store_tags(con, [(1, ArticleTags("en", [], [], 0.0))])
        raise RuntimeError("batch failed")
    assert rows(db, "SELECT count(*) FROM mentions WHERE article_id = 1") == [(3,)]


def test_store_tags_bulk(db: Path):
    results = [
        (
            10_000 + i,
            ArticleTags(
                "en",
                [Mention("org", f"Org{j}", j + 1) for j in range(5)],
                [Fact("power", 1.0 + i, "GW", None, None, "range", "s", (0, 4), ["A", "B"], 0.5)],
                0.9,
                True,
                "v",
            ),
        )
        for i in range(3000)
    ]
    with wh.writer(db) as con:
        store_tags(con, results)
    assert rows(db, "SELECT count(*), sum(count) FROM tag_mentions") == [(15000, 45000)]
    assert rows(db, "SELECT count(*), min(value_low), max(value) FROM tag_facts") == [
        (3000, 0.5, 3000.0),
    ]  # fmt: skip


@pytest.mark.parametrize("workers", [1, 2])
def test_retag_after_taxonomy_change(db: Path, tmp_path: Path, workers: int):
    with wh.writer(db) as con:
        tag_articles(con, [1, 2, 3])
    edited = tmp_path / "taxonomy.toml"
    text = DEFAULT_TAXONOMY.read_text(encoding="utf-8")
    text = text.replace('version = "', 'version = "edited-', 1)
    text = text.replace(
        '{ name = "Nscale", kind = "neocloud" }',
        '{ name = "Nscale", kind = "neocloud" },\n  { name = "Der Verein", kind = "investor" }',
    )
    edited.write_text(text, encoding="utf-8")
    seen: list[tuple[int, int]] = []
    summary = retag(db, taxonomy_path=edited, workers=workers, batch_size=2,
                    on_progress=lambda done, total: seen.append((done, total)))  # fmt: skip
    assert summary.articles == 3 and summary.relevant == 2
    assert summary.taxonomy_version.startswith("edited-")
    assert seen[-1] == (3, 3)
    assert rows(db, "SELECT DISTINCT taxonomy_version LIKE 'edited-%' FROM article_tags") == [
        (True,)
    ]
    assert rows(db, "SELECT name FROM mentions WHERE article_id = 3") == [("Der Verein",)]
    assert rows(db, "SELECT count(*) FROM facts") == [(4,)]


def test_retag_prunes_tags_of_deleted_documents(db: Path):
    with wh.writer(db) as con:
        tag_articles(con, [1, 2, 3])
        con.execute("DELETE FROM documents WHERE article_id = 2")
    retag(db, workers=1)
    assert rows(db, "SELECT article_id FROM article_tags ORDER BY 1") == [(1,), (3,)]
    assert rows(db, "SELECT count(*) FROM tag_mentions WHERE article_id = 2") == [(0,)]
