"""Organisation candidates: found at tag time, stored in tag_candidates, counted by the
org_candidates view over stories and outlets, printed by `gigawatch taxonomy suggest` as
entries the taxonomy loader accepts."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gigawatch.candidates import CandidateFinder, load_candidates
from gigawatch.cli import app
from gigawatch.tagger import Tagger
from gigawatch.taxonomy import DEFAULT_TAXONOMY, load_taxonomy
from warehouse import db as wh
from warehouse import schema
from warehouse.load import refresh_derived

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
# (article_id, source, published, title, text)
DOCS = [
    (1, "alpha", T0, "Zephyr Compute Partners backs a 1 GW campus in Texas",
     "Zephyr Compute Partners signed a $2 billion agreement with Crusoe and Nvidia on Monday "
     "to build a 1 GW data center campus near Abilene, Texas. The first 200 MW of the data "
     "center is due in 2027, and Brookfield Asset Management will invest in the power plant. "
     "Crusoe said the campus would run Nvidia GB300 systems."),
    (2, "beta", T0 + timedelta(hours=5), "Crusoe and Nvidia land $2 billion from Zephyr",
     "Crusoe and Nvidia will build a 1 GW data center campus near Abilene, Texas, after a $2 "
     "billion agreement with Zephyr Compute Partners, the companies said on Monday. The first "
     "200 MW is due in 2027; Crusoe will fill the data center with Nvidia GB300 systems."),
    (3, "gamma", T0 + timedelta(days=30), "Zephyr returns with a second data center in Spain",
     "El fondo Zephyr Compute Partners firmó un acuerdo de 800 millones de euros con Iberdrola "
     "para un centro de datos de 300 MW en Aragón. Iberdrola suministrará electricidad "
     "renovable al centro de datos, que usará chips de Nvidia."),
    (4, "gamma", T0 + timedelta(days=31), "Pokalsieg für den Verein",
     "Die Acme Capital Partners kauften den Verein für 50 Millionen Euro. Der Stürmer traf "
     "zweimal, der Trainer lobte die Mannschaft nach dem Pokalspiel."),
]  # fmt: skip


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    schema.ensure_schema(path)
    with wh.writer(path) as con:
        for aid, source, published, title, text in DOCS:
            con.execute(
                "INSERT INTO documents (article_id, url, source, fetch_id, body_sha1, title, "
                "published_at, text, fetched_at, extracted_at, extractor) "
                "VALUES (?, ?, ?, 'f', ?, ?, ?, ?, ?, ?, 'test')",
                [aid, f"http://{source}.test/{aid}", source, f"s{aid}", title, published, text,
                 published, published],
            )  # fmt: skip
        refresh_derived(con, [aid for aid, *_ in DOCS])  # tags, stories, trends: the ingest path
    return path


def rows(path: Path, sql: str) -> list[tuple]:
    con = wh.connect(path, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_new_name_next_to_deal_words_is_counted_by_stories_and_outlets(db: Path):
    stories = rows(db, "SELECT count(DISTINCT story_id) FROM article_dedupe WHERE article_id < 4")
    assert stories == [(2,)]  # the retelling joined its event; the Spanish deal is another
    got = rows(
        db,
        "SELECT name, kind, stories, outlets, articles, first_seen, last_seen, example, sources "
        "FROM org_candidates ORDER BY name",
    )
    assert [r[0] for r in got] == ["Zephyr Compute Partners"]
    name, kind, n_stories, outlets, articles, first, last, example, sources = got[0]
    assert (kind, n_stories, outlets, articles) == ("investor", 2, 3, 3)
    assert (first, last) == (T0, T0 + timedelta(days=30))
    assert example.startswith("Zephyr Compute Partners signed a $2 billion agreement")
    assert sources == ["alpha", "beta", "gamma"]
    # the name in the taxonomy is a mention, not a candidate; the irrelevant article adds none
    assert rows(db, "SELECT count(*) FROM tag_candidates WHERE name LIKE '%Brookfield%'") == [(0,)]
    assert rows(db, "SELECT count(*) FROM tag_candidates WHERE article_id = 4") == [(0,)]
    assert ("org", "Brookfield") in rows(db, "SELECT kind, name FROM mentions WHERE article_id = 1")


def test_retag_replaces_and_prune_removes_candidates(db: Path):
    from warehouse.tags import retag

    before = rows(db, "SELECT article_id, name FROM tag_candidates ORDER BY 1, 2")
    retag(db, workers=1)
    assert rows(db, "SELECT article_id, name FROM tag_candidates ORDER BY 1, 2") == before
    with wh.writer(db) as con:
        con.execute("DELETE FROM documents WHERE article_id = 3")
    retag(db, workers=1)
    assert rows(db, "SELECT DISTINCT article_id FROM tag_candidates ORDER BY 1") == [(1,), (2,)]


def test_suggest_prints_entries_the_taxonomy_loader_accepts(db: Path, tmp_path: Path):
    result = CliRunner().invoke(app, ["taxonomy", "suggest", "--db", str(db), "--min-stories", "2"])
    assert result.exit_code == 0, result.output
    entries = tomllib.loads("organisations = [\n" + result.output + "]\n")["organisations"]
    assert entries == [{"name": "Zephyr Compute Partners", "kind": "investor"}]
    assert "2 stories, 3 outlets (alpha, beta, gamma)" in result.output
    # pasted into the default taxonomy, the file still loads, and the name is then known
    text = DEFAULT_TAXONOMY.read_text(encoding="utf-8")
    anchor = "organisations = [\n"
    pasted = tmp_path / "taxonomy.toml"
    pasted.write_text(text.replace(anchor, anchor + result.output, 1), encoding="utf-8")
    tax = load_taxonomy(pasted)
    assert tax.organisation("Zephyr Compute Partners").kind == "investor"
    again = CliRunner().invoke(
        app, ["taxonomy", "suggest", "--db", str(db), "--taxonomy", str(pasted)]
    )
    assert again.exit_code == 0 and "{ name" not in again.output
    few = CliRunner().invoke(app, ["taxonomy", "suggest", "--db", str(db), "--min-stories", "3"])
    assert few.exit_code == 0 and "{ name" not in few.output
    since = ["taxonomy", "suggest", "--db", str(db), "--since"]
    assert "{ name" in CliRunner().invoke(app, [*since, "2026-12-16"]).output  # last seen then
    assert "{ name" not in CliRunner().invoke(app, [*since, "2026-12-17"]).output


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "Energy demand rose. Nordavia Energy Group signed a $1 billion deal with AMD.",
         {"Nordavia Energy Group": "energy"}),
        ("en", "OpenAI CEO Sam Altman said the deal with AMD was worth $100 billion.", {}),
        ("fr", "La Banque Lémanique a signé un accord de 2 milliards d'euros avec Mistral AI.",
         {"Banque Lémanique": "bank"}),
        ("de", "Die Nordlicht Energie AG investiert 2 Milliarden Euro in ein Rechenzentrum.",
         {"Nordlicht Energie AG": "energy"}),
        ("de", "Der Rechenzentrumsentwickler Nordlicht Data Centers unterzeichnete den Vertrag.",
         {"Nordlicht Data Centers": "datacenter"}),
        ("es", "Solaris Renovables Group firmó un acuerdo de 500 millones con Iberdrola.",
         {"Solaris Renovables Group": "energy"}),
        ("en", "The AI Data Center market grew as Cloud Infrastructure deals rose by $2 billion.",
         {}),
        ("en", "Acme Capital Partners was founded in 2001. It has offices in Paris.", {}),
        ("fr", "Le consortium Oréus investira 2 milliards d'euros dans un centre de données.",
         {"Oréus": "investor"}),
        ("es", "El fondo estadounidense Halcón firmó un acuerdo de 300 millones con Iberdrola.",
         {"Halcón": "investor"}),
        ("en", "The company said on Monday that the deal was worth $2 billion to Nvidia.", {}),
    ],
)  # fmt: skip
def test_candidates_per_language(lang: str, text: str, expected: dict[str, str]):
    tagger = Tagger(load_taxonomy(), relevance_threshold=0.0)
    tags = tagger.tag("", text, lang)
    assert {c.name: c.kind for c in tags.candidates} == expected


def test_finder_pickles_with_the_tagger():
    import pickle

    finder = CandidateFinder(load_candidates(), ["Nvidia"])
    again = pickle.loads(pickle.dumps(finder))
    assert again.known == finder.known and again.guess_kind("Acme Bank") == "bank"


def test_malformed_candidates_file_names_file_and_key(tmp_path: Path):
    from gigawatch.candidates import DEFAULT_CANDIDATES, CandidateError

    text = DEFAULT_CANDIDATES.read_text(encoding="utf-8")
    bad = tmp_path / "candidates.toml"
    bad.write_text(text.replace('bank = ["Bank"', 'banque = ["Bank"', 1), encoding="utf-8")
    with pytest.raises(CandidateError, match=r"candidates\.toml: key kinds: .*'banque'"):
        load_candidates(str(bad))
    bad.write_text(text.replace("[deal_words]\n", "[deal_words]\nit = ['x']\n"), encoding="utf-8")
    with pytest.raises(CandidateError, match=r"key deal_words\.it"):
        load_candidates(str(bad))
