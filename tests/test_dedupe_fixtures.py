"""Duplicates and stories on hand-written fixtures with known groups
(tests/fixtures/dedupe/articles.toml): precision and recall of duplicate pairs and story
pairs, the named traps, URL variants, idempotence, a backfilled original, and rebuild equal to
the incremental result."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path

import duckdb
import pytest

from gigawatch.dedupe import DedupeConfig
from gigawatch.urls import article_id, canonical_url
from warehouse import trend_store
from warehouse.dedupe_store import DedupeSummary, fold_batch, rebuild

FIXTURE = Path(__file__).parent / "fixtures" / "dedupe" / "articles.toml"
STATE = ("doc_signatures", "lsh_buckets", "story_features", "story_keys", "article_dedupe")


def load_fixture() -> list[dict]:
    articles = tomllib.loads(FIXTURE.read_text(encoding="utf-8"))["article"]
    by_key = {a["key"]: a for a in articles}
    for art in articles:  # texts are wrapped in the file: one paragraph each
        if "text" in art:
            art["text"] = " ".join(art["text"].split())
    for art in articles:
        if "base" in art:
            text = by_key[art["base"]]["text"]
            for old, new in art.get("replace", []):
                assert old in text, (art["key"], old)
                text = text.replace(old, new)
            if art.get("upper"):
                text = text.upper()
            art["text"] = " ".join(filter(None, [art.get("prepend"), text, art.get("append")]))
        art["id"] = article_id(canonical_url(art["url"]))
        art["published"] = datetime.fromisoformat(art["published"])
    return articles


ARTICLES = load_fixture()
BY_KEY = {a["key"]: a for a in ARTICLES}


def insert(con: duckdb.DuckDBPyConnection, articles: list[dict]) -> list[int]:
    """Store fixture articles as the lead's load and the tagger would: documents and tags."""
    now = datetime(2025, 12, 1, tzinfo=UTC)
    for a in articles:
        con.execute(
            "INSERT INTO documents (article_id, url, source, fetch_id, body_sha1, title, "
            "published_at, language, text, fetched_at, extracted_at, extractor) "
            "VALUES (?, ?, ?, 'fetch', 'sha1', ?, ?, ?, ?, ?, ?, 'fixture')",
            [a["id"], canonical_url(a["url"]), a["source"], a["title"], a["published"],
             a["language"], a["text"], now, now],
        )  # fmt: skip
        con.execute(
            "INSERT INTO article_tags (article_id, language, relevance, relevant, "
            "taxonomy_version, tagged_at) VALUES (?, ?, 1.0, true, 'fixture', ?)",
            [a["id"], a["language"], now],
        )
        for kind, table in (("org", "orgs"), ("chip", "chips"), ("place", "places")):
            for name, count in a.get(table, {}).items():
                con.execute("INSERT INTO tag_mentions VALUES (?, ?, ?, ?)",
                            [a["id"], kind, name, count])  # fmt: skip
        for seq, (kind, value, usd) in enumerate(a.get("facts", [])):
            con.execute(
                "INSERT INTO tag_facts (article_id, seq, kind, value, unit, amount_usd, "
                "repeated, sentence, span_start, span_end, orgs) "
                "VALUES (?, ?, ?, ?, NULL, ?, false, '', 0, 0, [])",
                [a["id"], seq, kind, float(value), float(usd) if usd else None],
            )
    return [a["id"] for a in articles]


def fold_in_batches(con) -> list[DedupeSummary]:
    """Batch 1 then batch 2, each in its own transaction, as ingest does."""
    out = []
    for batch in (1, 2):
        ids = insert(con, [a for a in ARTICLES if a["batch"] == batch])
        con.execute("BEGIN TRANSACTION")
        out.append(fold_batch(con, ids))
        con.execute("COMMIT")
    return out


def verdicts(con) -> dict[str, tuple]:
    """key -> (duplicate_of key, method, story_id)."""
    key_of = {a["id"]: a["key"] for a in ARTICLES}
    rows = con.execute(
        "SELECT article_id, duplicate_of, method, story_id FROM article_dedupe"
    ).fetchall()
    return {key_of[aid]: (key_of.get(dup), method, story) for aid, dup, method, story in rows}


def pair_scores(truth: dict[str, str], got: dict[str, object]) -> tuple[float, float]:
    """Precision and recall of the pairs put together, against the true grouping."""
    tp = fp = fn = 0
    for a, b in combinations(sorted(truth), 2):
        t = truth[a] == truth[b]
        g = got[a] == got[b]
        tp += t and g
        fp += g and not t
        fn += t and not g
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall


def snapshot(con) -> dict[str, list]:
    return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in STATE}


def test_fixture_is_consistent():
    keys = [a["key"] for a in ARTICLES]
    assert len(set(keys)) == len(keys)
    assert len({a["id"] for a in ARTICLES}) == len(ARTICLES)
    for a in ARTICLES:
        assert not a["dup_of"] or BY_KEY[a["dup_of"]]["story"] == a["story"]


def test_url_variants_fold_to_one_article():
    variants = [(a, v) for a in ARTICLES for v in a.get("url_variants", [])]
    assert len(variants) >= 4
    for art, variant in variants:
        assert article_id(canonical_url(variant)) == art["id"], variant


def test_duplicates_and_stories_match_the_known_groups(con):
    fold_in_batches(con)
    got = verdicts(con)
    assert set(got) == set(BY_KEY)
    # duplicate pairs: articles in the same duplicate group
    truth_dup = {a["key"]: a["dup_of"] or a["key"] for a in ARTICLES}
    got_dup = {k: dup or k for k, (dup, _m, _s) in got.items()}
    precision, recall = pair_scores(truth_dup, got_dup)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)
    assert got_dup == truth_dup  # exactly, on these fixtures
    # story pairs
    truth_story = {a["key"]: a["story"] for a in ARTICLES}
    got_story = {k: story for k, (_d, _m, story) in got.items()}
    precision, recall = pair_scores(truth_story, got_story)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)
    assert precision == recall == 1.0


def test_named_traps(con):
    fold_in_batches(con)
    got = verdicts(con)
    story = {k: v[2] for k, v in got.items()}
    # the original arrived after its copies, and every copy now points to it
    assert got["gl-amd"][0] is None
    assert got["wire-amd"][:2] == ("gl-amd", "near")  # repost with other boilerplate
    assert got["mirror-amd"][:2] == ("gl-amd", "exact")  # same words, other case and spacing
    assert got["digest-amd"][:2] == ("gl-amd", "near")  # lightly edited copy
    # the French and German tellings: same story, not duplicates
    assert story["fr-amd"] == story["de-amd"] == story["gl-amd"]
    assert got["fr-amd"][0] is None and got["de-amd"][0] is None
    # the story is named after its earliest article (the French one)
    assert story["gl-amd"] == BY_KEY["fr-amd"]["id"]
    # only AMD in common, the next day: another story
    assert story["amd-austin"] != story["gl-amd"]
    # two deals by Microsoft and Nscale a month apart: two stories
    assert story["nscale-uk"] == story["nscale-uk-cw"]
    assert story["nscale-gpus"] == story["nscale-gpus-es"]
    assert story["nscale-uk"] != story["nscale-gpus"]
    # Meta's spending forecast names Hyperion and Louisiana: still another story
    assert story["hyperion"] == story["hyperion-fr"] != story["meta-capex"]
    # identical paywall stubs are too short to be folded
    assert got["stub-a"][0] is None and got["stub-b"][0] is None
    assert story["stub-a"] != story["stub-b"]


def test_stories_view(con):
    fold_in_batches(con)
    con.execute("BEGIN TRANSACTION")
    trend_store.refresh(con, [a["id"] for a in ARTICLES])  # as ingest does after folding
    con.execute("COMMIT")
    row = con.execute(
        "SELECT story_id, first_seen, last_seen, headline, n_articles, n_sources, languages "
        "FROM stories WHERE story_id = ?",
        [BY_KEY["fr-amd"]["id"]],
    ).fetchone()
    _sid, first, last, headline, n_articles, n_sources, languages = row
    amd = [a for a in ARTICLES if a["story"] == "openai-amd"]
    assert first == min(a["published"] for a in amd)
    assert last == max(a["published"] for a in amd)
    assert headline == BY_KEY["fr-amd"]["title"]
    assert n_articles == len(amd) == 6
    assert n_sources == len({a["source"] for a in amd})
    assert languages == ["de", "en", "fr"]
    n_stories = con.execute("SELECT count(*) FROM stories").fetchone()[0]
    assert n_stories == len({a["story"] for a in ARTICLES})
    articles = con.execute(
        "SELECT count(*) FROM articles WHERE duplicate_of IS NULL AND story_id IS NOT NULL"
    ).fetchone()[0]
    assert articles == len(ARTICLES) - 3


def test_summaries_count_what_was_folded(con):
    first, second = fold_in_batches(con)
    assert first.articles + second.articles == len(ARTICLES)
    # batch 1 holds three copies of an original that comes in batch 2
    assert first.exact + first.near == 2  # two copies of the first one seen
    assert second.regrouped == 1
    assert set(second.duplicates_of) == set()  # the original itself is not a duplicate


def test_refolding_the_same_batches_changes_nothing(con):
    fold_in_batches(con)
    before = snapshot(con)
    for batch in (1, 2):
        ids = [a["id"] for a in ARTICLES if a["batch"] == batch]
        summary = fold_batch(con, ids)
        assert summary.articles == 0 and summary.unchanged == len(ids)
    assert snapshot(con) == before


def test_rebuild_equals_the_incremental_result(con):
    fold_in_batches(con)
    incremental = snapshot(con)
    summary = rebuild(con, batch_size=3)
    assert summary.articles == len(ARTICLES)
    rebuilt = snapshot(con)
    # story scores depend on which copy an article was compared with; the rest is equal
    strip = {"article_dedupe": lambda r: r[:5], "story_features": lambda r: r,
             "story_keys": lambda r: r, "doc_signatures": lambda r: r,
             "lsh_buckets": lambda r: r}  # fmt: skip
    for table in STATE:
        assert sorted(map(strip[table], rebuilt[table]), key=repr) == sorted(
            map(strip[table], incremental[table]), key=repr
        ), table
    # and once more, in one batch
    rebuild(con, batch_size=1000)
    assert snapshot(con)["article_dedupe"] == rebuilt["article_dedupe"]


def rewrite_digest_as_regatta_copy(con: duckdb.DuckDBPyConnection) -> dict:
    """Re-extraction changed the AMD digest into a copy of the regatta report (published
    before it); returns the digest article."""
    digest = BY_KEY["digest-amd"]
    con.execute(
        "UPDATE documents SET text = ? WHERE article_id = ?",
        [BY_KEY["regatta"]["text"].replace("Sunday", "Saturday"), digest["id"]],
    )
    return digest


def test_a_changed_text_is_folded_again(con):
    fold_in_batches(con)
    digest = rewrite_digest_as_regatta_copy(con)
    summary = fold_batch(con, [digest["id"]])
    assert summary.articles == 1 and summary.regrouped == 1
    got = verdicts(con)
    # it now copies the regatta report, and was published before it: it is the first-seen
    assert got["digest-amd"][0] is None
    assert got["regatta"][:2] == ("digest-amd", "near")
    assert got["regatta"][2] == got["digest-amd"][2] == digest["id"]
    assert got["gl-amd"][2] != digest["id"]
    # one row per article in every table
    for table in ("doc_signatures", "article_dedupe", "story_features"):
        n, distinct = con.execute(
            f"SELECT count(*), count(DISTINCT article_id) FROM {table}"
        ).fetchone()
        assert n == distinct, table


def test_tables_of_an_older_version_are_rebuilt(con):
    fold_in_batches(con)
    expected = [r[:5] for r in snapshot(con)["article_dedupe"]]
    # the first version of these tables had no schema row (and other columns)
    con.execute("DROP TABLE dedupe_state")
    summary = fold_batch(con, [BY_KEY["regatta"]["id"]])
    assert summary.articles == len(ARTICLES)
    assert [r[:5] for r in snapshot(con)["article_dedupe"]] == expected


def test_signatures_of_other_settings_are_refused(con):
    from dataclasses import replace

    from warehouse.dedupe_store import StaleDedupeState

    fold_in_batches(con)
    other = replace(DedupeConfig(), shingle_words=4)
    with pytest.raises(StaleDedupeState, match="restory") as err:
        fold_batch(con, [BY_KEY["regatta"]["id"]], other)
    assert err.value.kind == "settings"
    rebuild(con, other)  # restory with the new settings
    assert fold_batch(con, [BY_KEY["regatta"]["id"]], other).unchanged == 1


def test_rebuild_sees_documents_stored_in_its_own_transaction(con):
    # ingest stores documents and folds them in one transaction; the rebuild that folding
    # may trigger streams texts through a second connection, which cannot see them yet
    insert(con, [a for a in ARTICLES if a["batch"] == 1])
    con.execute("BEGIN TRANSACTION")
    insert(con, [a for a in ARTICLES if a["batch"] == 2])
    summary = rebuild(con)
    con.execute("COMMIT")
    assert summary.articles == len(ARTICLES)
    assert verdicts(con)["wire-amd"][:2] == ("gl-amd", "near")
