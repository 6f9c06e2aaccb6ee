"""Conflicting figures in the deals ledger (issue 13): when a story's articles cite different
values of one kind, `deals` keeps the chosen figure and says which outlets cited it, lists the
other values with their outlets, and flags the figure `disputed` when an article gives another
value instead of it (not when it adds a second figure, such as a first phase, or the same
amount in another currency)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb

from gigawatch.urls import article_id, canonical_url
from warehouse import trend_store
from warehouse.tags import tag_articles

LEAD = (
    "The agreement covers new AI data centers and accelerators for model training, according "
    "to people familiar with the contract, and construction of the first campus has begun."
)


def store(con: duckdb.DuckDBPyConnection, story: str, articles: list[tuple[str, str, str]]):
    """Store (source, title, text) articles, tag them with the real tagger, and put them in
    one story, as the dedupe store would; then refresh the trend tables, in one transaction."""
    day = datetime(2025, 9, 10, 14, tzinfo=UTC)
    ids = []
    con.execute("BEGIN TRANSACTION")
    for n, (source, title, text) in enumerate(articles):
        url = canonical_url(f"https://{source}.example/{story}/{n}")
        aid = article_id(url)
        ids.append(aid)
        con.execute(
            "INSERT INTO documents (article_id, url, source, fetch_id, body_sha1, title, "
            "published_at, language, text, fetched_at, extracted_at, extractor) "
            "VALUES (?, ?, ?, 'fetch', 'sha1', ?, ?, 'en', ?, ?, ?, 'fixture')",
            [aid, url, source, title, day + timedelta(hours=n), f"{text} {LEAD}", day, day],
        )
    tag_articles(con, ids)
    for aid in ids:
        con.execute(
            "INSERT INTO article_dedupe (article_id, story_id) VALUES (?, ?)", [aid, ids[0]]
        )
    trend_store.refresh(con, ids)
    con.execute("COMMIT")
    return ids[0]


def ledger(con: duckdb.DuckDBPyConnection, story_id: int, kind: str) -> dict:
    cur = con.execute(
        "SELECT value, currency, cited_by, disputed, other_values FROM deals "
        "WHERE story_id = ? AND kind = ?",
        [story_id, kind],
    )
    names = [d[0] for d in cur.description]
    row = cur.fetchone()
    assert row is not None, f"no {kind} row for the story"
    return dict(zip(names, row, strict=True))


def test_a_value_cited_instead_of_the_chosen_one_is_a_dispute(con):
    story = store(con, "oracle", [
        ("alpha", "OpenAI signs with Oracle",
         "OpenAI will buy $300 billion of computing power from Oracle, about 4.5 GW."),
        ("bravo", "Oracle wins OpenAI contract",
         "Oracle agreed to sell OpenAI $300 billion of cloud capacity, some 4.5 GW."),
        ("charlie", "OpenAI and Oracle deal",
         "OpenAI has agreed to buy $30 billion of compute from Oracle, about 4.5 GW."),
    ])  # fmt: skip
    money = ledger(con, story, "money")
    assert (money["value"], money["currency"]) == (300e9, "USD")
    assert money["cited_by"] == ["alpha", "bravo"]
    assert money["disputed"] is True
    (other,) = money["other_values"]
    assert other["value"] == 30e9 and other["currency"] == "USD"
    assert other["sources"] == ["charlie"] and other["citations"] == 1 and other["instead"]
    power = ledger(con, story, "power")
    assert power["value"] == 4.5 and power["disputed"] is False and power["other_values"] == []
    assert power["cited_by"] == ["alpha", "bravo", "charlie"]


def test_a_second_figure_beside_the_chosen_one_is_no_dispute(con):
    story = store(con, "amd", [
        ("alpha", "AMD to supply OpenAI",
         "AMD will supply OpenAI with 6 GW of Instinct GPUs, starting with a first 1 GW."),
        ("bravo", "OpenAI picks AMD", "OpenAI is to deploy 6 GW of AMD Instinct GPUs."),
    ])  # fmt: skip
    power = ledger(con, story, "power")
    assert power["value"] == 6.0 and power["disputed"] is False
    (phase,) = power["other_values"]
    assert phase["value"] == 1.0 and phase["sources"] == ["alpha"] and not phase["instead"]


def test_the_same_amount_in_another_currency_is_no_dispute(con):
    story = store(con, "sines", [
        ("alpha", "Microsoft invests in Portugal",
         "Microsoft will invest $10 billion in an AI data center in Sines."),
        ("bravo", "Microsoft's Sines plan",
         "Microsoft will invest $10 billion in an AI data center in Sines, Portugal."),
        ("charlie", "Sines data center",
         "Microsoft will invest €8.6 billion in an AI data center in Sines."),
    ])  # fmt: skip
    money = ledger(con, story, "money")
    assert (money["value"], money["currency"]) == (10e9, "USD")
    assert money["disputed"] is False
    (euros,) = money["other_values"]
    assert euros["currency"] == "EUR" and euros["sources"] == ["charlie"]
    assert not euros["instead"]


def test_a_rebuild_gives_the_same_ledger(con):
    store(con, "oracle", [
        ("alpha", "OpenAI signs with Oracle",
         "OpenAI will buy $300 billion of computing power from Oracle, about 4.5 GW."),
        ("charlie", "OpenAI and Oracle deal",
         "OpenAI has agreed to buy $30 billion of compute from Oracle, about 4.5 GW."),
    ])  # fmt: skip
    query = "SELECT * FROM trend_deals ORDER BY story_id, kind"
    before = con.execute(query).fetchall()
    con.execute("BEGIN TRANSACTION")
    trend_store.rebuild(con)
    after = con.execute(query).fetchall()
    con.execute("ROLLBACK")
    assert before == after and before
