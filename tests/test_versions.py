"""Versions on every row (issue 14): each article says which trafilatura version and options
produced its text and which tagger and taxonomy produced its tags (the `articles` view)."""

from __future__ import annotations

import json
from pathlib import Path

from gigawatch.extract import EXTRACT_OPTIONS, EXTRACT_OPTIONS_JSON, EXTRACTOR
from gigawatch.settings import taxonomy_path
from gigawatch.tagger import TAGGER
from gigawatch.taxonomy import load_taxonomy
from warehouse import db as wh
from warehouse import schema

VERSIONS = (
    "SELECT extractor, extract_options, tagger, taxonomy_version, taxonomy_digest, count(*) "
    "FROM articles GROUP BY ALL"
)


def test_every_article_names_its_extractor_and_tagger(ro, ingested):
    taxonomy = load_taxonomy(taxonomy_path(None))
    n = ro.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert n > 0
    assert ro.execute(VERSIONS).fetchall() == [
        (EXTRACTOR, EXTRACT_OPTIONS_JSON, TAGGER, taxonomy.version, taxonomy.digest, n)
    ]
    assert EXTRACTOR.startswith("trafilatura ") and TAGGER.startswith("gigawatch ")
    assert json.loads(EXTRACT_OPTIONS_JSON) == EXTRACT_OPTIONS
    assert len(taxonomy.digest) == 40


def test_rows_from_before_the_versions_say_so(tmp_path: Path):
    """Rows written before migration 0008 have NULL extract_options and tagger: outdated."""
    path = tmp_path / "w.duckdb"
    schema.ensure_schema(path)
    con = wh.connect(path)
    con.execute(
        "INSERT INTO documents (article_id, url, source, fetch_id, body_sha1, text, fetched_at, "
        "extracted_at, extractor, extract_options) VALUES (1, 'u', 's', 'f', 'b', 't', now(), "
        "now(), 'trafilatura 1.0', NULL)"
    )
    con.execute(
        "INSERT INTO article_tags (article_id, relevance, relevant, taxonomy_version, tagged_at) "
        "VALUES (1, 0, false, 'old', now())"
    )
    got = con.execute(
        "SELECT extractor, extract_options, tagger, taxonomy_version, taxonomy_digest FROM articles"
    ).fetchall()
    assert got == [("trafilatura 1.0", None, None, "old", None)]
    outdated = con.execute(
        "SELECT count(*) FROM articles WHERE extractor IS DISTINCT FROM $e "
        "OR extract_options IS DISTINCT FROM $o",
        {"e": EXTRACTOR, "o": EXTRACT_OPTIONS_JSON},
    ).fetchone()[0]
    assert outdated == 1
    con.close()
