"""Tags and facts stored by the ingest flow for the demo site, checked against the manifest.

The manifest's orgs, chips and facts are the ground truth written with the articles; this is
the quality gate of the tagger on real-looking pages after real extraction.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def _fact_key(kind: str, value: float, unit: str | None, currency: str | None) -> str:
    if kind == "power":
        return f"power {value:g} GW"
    if kind == "money":
        return f"money {round(value)} {currency}"
    if kind == "stake":
        return f"stake {value:g} %"
    return f"shares {round(value)}"


def _matches(want: set[str], got: set[str]) -> set[str]:
    """Manifest names found among stored canonical names ("MI450" ~ "AMD Instinct MI450")."""
    return {w for w in want if any(g == w or g.endswith(" " + w) for g in got)}


def _stored(ro) -> dict[tuple[str, str], dict]:
    out: dict[tuple[str, str], dict] = {}
    for aid, source, url, relevant in ro.execute(
        "SELECT article_id, source, url, relevant FROM articles"
    ).fetchall():
        out[(source, urlsplit(url).path)] = {"id": aid, "relevant": relevant}
    for aid, kind, name in ro.execute("SELECT article_id, kind, name FROM mentions").fetchall():
        for rec in out.values():
            if rec["id"] == aid:
                rec.setdefault(kind, set()).add(name)
    facts = ro.execute(
        "SELECT article_id, kind, value, unit, currency FROM facts "
        "WHERE kind IN ('power', 'money', 'stake', 'shares') AND NOT repeated"
    ).fetchall()
    for aid, kind, value, unit, currency in facts:
        for rec in out.values():
            if rec["id"] == aid:
                rec.setdefault("facts", set()).add(_fact_key(kind, value, unit, currency))
    return out


def test_named_articles_have_their_organisations_chips_and_facts(ro, manifest):
    stored = _stored(ro)
    named = [a for a in manifest if a["story"] == "openai-amd-6gw"]
    assert len({a["language"] for a in named}) >= 3
    for art in named:
        rec = stored[(art["outlet"], art["path"])]
        assert _matches(set(art["orgs"]), rec.get("org", set())) == set(art["orgs"]), art["path"]
        chips = set(art["chips"])
        assert _matches(chips, rec.get("chip", set())) == chips, art["path"]
        found = rec.get("facts", set())
        assert "power 6 GW" in found, (art["path"], found)
        assert rec["relevant"] is True


def test_fact_precision_and_recall_over_the_demo_site(ro, manifest):
    stored = _stored(ro)
    expected = found = hits = 0
    for art in manifest:
        want = set(art.get("facts", []))
        got = stored[(art["outlet"], art["path"])].get("facts", set())
        expected += len(want)
        found += len(got)
        hits += len(want & got)
    precision, recall = hits / found, hits / expected
    assert precision >= 0.95, (precision, recall)
    assert recall >= 0.85, (precision, recall)


def test_organisation_recall_and_off_topic_articles_are_not_relevant(ro, manifest):
    stored = _stored(ro)
    want = got = 0
    for art in manifest:
        rec = stored[(art["outlet"], art["path"])]
        want += len(art["orgs"])
        got += len(_matches(set(art["orgs"]), rec.get("org", set())))
        assert rec["relevant"] is art["on_topic"], (art["path"], art["on_topic"])
    assert got == want  # every organisation the manifest lists is found
