"""Trend views and ``gigawatch trends`` on the demo site, against its manifest.

Expectations come from gigawatch/demo/site/manifest.toml: which articles are on topic and which
are reposts, their outlets, languages, dates, organisations and figures. Stories are taken from
the warehouse (``articles.story_id``, the deduplication's work), so these tests check the trend
views' counting, not the story grouping.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from gigawatch import trends as tr
from gigawatch.cli import EXIT_BAD_INPUT, app

MANIFEST = Path(__file__).resolve().parents[1] / "gigawatch" / "demo" / "site" / "manifest.toml"
ERROR_KINDS = {"not-found", "server-error", "pdf", "no-article-text", "huge", "malformed-feed"}


@pytest.fixture(scope="module")
def truth(ingested: dict[str, Any]) -> list[dict[str, Any]]:
    """Manifest articles that count in trends (on topic, not reposts), each with the story_id
    the warehouse gave it and its UTC day, week (Monday) and month."""
    from warehouse import db as wh

    con = wh.connect(ingested["db"], read_only=True)
    try:
        story = {
            (source, urlsplit(url).path): sid
            for source, url, sid in con.execute("SELECT source, url, story_id FROM articles")
            .fetchall()
        }  # fmt: skip
    finally:
        con.close()
    out = []
    for a in tomllib.loads(MANIFEST.read_text(encoding="utf-8"))["article"]:
        if not a["on_topic"] or a.get("repost_of"):
            continue
        day = datetime.fromisoformat(a["published"]).astimezone(UTC).date()
        week = day - timedelta(days=day.weekday())
        story_id = story[(a["outlet"], a["path"])]
        month = day.replace(day=1)
        out.append({**a, "story_id": story_id, "day": day, "week": week, "month": month})
    return out


def _stories_of(truth: list[dict], key: str) -> list[dict]:
    return [a for a in truth if a["story"] == key]


def test_trend_articles_are_the_relevant_originals(ro, truth):
    rows = ro.execute("SELECT count(*), count(DISTINCT story_id) FROM trend_articles").fetchall()
    assert rows[0] == (len(truth), len({a["story_id"] for a in truth}))
    assert len(truth) == 43  # 48 articles, 4 off topic, 1 repost
    assert rows[0][1] == len({a["story"] for a in truth}) == 29  # one story_id per manifest story
    weeks = ro.execute("SELECT DISTINCT week FROM trend_articles").fetchall()
    assert all(w.weekday() == 0 for (w,) in weeks)


def test_org_weekly_matches_the_manifest(ro, truth):
    expected: dict[tuple[date, str], list] = defaultdict(lambda: [set(), 0, set(), set()])
    for a in truth:
        for org in a["orgs"]:
            e = expected[(a["week"], org)]
            e[0].add(a["story_id"])
            e[1] += 1
            e[2].add(a["outlet"])
            e[3].add(a["language"])
    tracked = {org for a in truth for org in a["orgs"]}
    got = {
        (week, org): (stories, articles, outlets, languages)
        for week, org, stories, articles, outlets, languages in ro.execute(
            "SELECT week, org, stories, articles, outlets, languages FROM org_weekly"
        ).fetchall()
        if org in tracked
    }
    want = {k: (len(s), n, len(o), sorted(lang)) for k, (s, n, o, lang) in expected.items()}
    assert got == want
    # The OpenAI–AMD week: one story told by four outlets in three languages.
    amd = _stories_of(truth, "openai-amd-6gw")
    row = ro.execute(
        "SELECT iso_week, stories, articles, outlets, languages FROM org_weekly "
        "WHERE org = 'AMD' AND week = ?",
        [amd[0]["week"]],
    ).fetchall()
    assert row == [("2025-W41", 1, 4, 4, ["de", "en", "fr"])]


def test_topic_weekly_counts_stories_once(ro, truth):
    raw = ro.execute(
        "SELECT t.week, m.name, t.story_id, t.source, t.language FROM trend_articles t "
        "JOIN mentions m USING (article_id) WHERE m.kind = 'topic'"
    ).fetchall()
    expected: dict[tuple, list] = defaultdict(lambda: [set(), 0, set(), set()])
    for week, topic, story, source, language in raw:
        e = expected[(week, topic)]
        e[0].add(story)
        e[1] += 1
        e[2].add(source)
        e[3].add(language)
    got = {
        (w, t): (s, n, o, lang)
        for w, t, s, n, o, lang in ro.execute(
            "SELECT week, topic, stories, articles, outlets, languages FROM topic_weekly"
        ).fetchall()
    }
    assert got == {k: (len(s), n, len(o), sorted(lang)) for k, (s, n, o, lang) in expected.items()}
    # Google's Duane Arnold restart: one nuclear story in English and French that week.
    duane = _stories_of(truth, "google-nextera-duane-arnold")
    row = ro.execute(
        "SELECT stories, articles, outlets, languages FROM topic_weekly "
        "WHERE topic = 'nuclear' AND week = ?",
        [duane[0]["week"]],
    ).fetchall()
    assert row == [(1, 2, 2, ["en", "fr"])]


def _manifest_figures(truth: list[dict], kind: str) -> dict[int, set[tuple[float, str]]]:
    figures: dict[int, set] = defaultdict(set)
    for a in truth:
        for fact in a["facts"]:
            k, value, *unit = fact.split()  # "power 6 GW", "money 30000000000 USD", "shares N"
            if k == kind:
                figures[a["story_id"]].add((float(value), unit[0]))
    return figures


def test_power_deals_one_row_per_story_with_a_manifest_figure(ro, truth):
    figures = _manifest_figures(truth, "power")
    rows = ro.execute("SELECT story_id, gw FROM power_deals").fetchall()
    assert len(rows) == len({s for s, _ in rows})  # each story once
    assert {s for s, _ in rows} == set(figures)
    for story, gw in rows:
        assert (gw, "GW") in figures[story], story
    # OpenAI–AMD: 6 GW once, not once per outlet that told it.
    amd = _stories_of(truth, "openai-amd-6gw")
    deal = ro.execute(
        "SELECT gw, citations, n_articles, n_sources, languages, orgs[1:2], "
        "first_seen::DATE FROM power_deals WHERE story_id = ?",
        [amd[0]["story_id"]],
    ).fetchall()
    assert deal == [(6.0, 4, 4, 4, ["de", "en", "fr"], ["AMD", "OpenAI"], date(2025, 10, 6))]
    assert {a["outlet"] for a in amd} == {"gridledger", "computeweekly", "courrier", "infraeuropa"}
    total = ro.execute("SELECT sum(gw) FROM power_deals").fetchall()[0][0]
    told = ro.execute(
        "SELECT sum(f.value) FROM facts f JOIN trend_articles USING (article_id) "
        "WHERE f.kind = 'power' AND NOT f.repeated"
    ).fetchall()[0][0]
    assert round(total, 3) == 43.995 and told > 2 * total  # retellings are not multiplied


def test_money_deals_and_the_two_microsoft_nscale_stories(ro, truth):
    figures = _manifest_figures(truth, "money")
    rows = ro.execute("SELECT story_id, amount, currency FROM money_deals").fetchall()
    assert len(rows) == len({s for s, _, _ in rows})
    assert {s for s, _, _ in rows} == set(figures)
    for story, amount, currency in rows:
        assert (amount, currency) in figures[story], story
    uk = _stories_of(truth, "microsoft-nscale-uk")
    texas = _stories_of(truth, "microsoft-nscale-200k-gb300")
    assert uk[0]["story_id"] != texas[0]["story_id"]
    got = dict(
        ro.execute(
            "SELECT story_id, (amount / 1e9, currency, n_sources, first_seen::DATE) "
            "FROM money_deals WHERE story_id IN (?, ?)",
            [uk[0]["story_id"], texas[0]["story_id"]],
        ).fetchall()
    )
    assert got[uk[0]["story_id"]] == (30.0, "USD", 2, date(2025, 9, 16))
    assert got[texas[0]["story_id"]] == (24.0, "USD", 2, date(2025, 10, 15))
    aws = _stories_of(truth, "aws-openai-38bn")
    row = ro.execute(
        "SELECT amount_usd / 1e9, orgs, languages FROM money_deals WHERE story_id = ?",
        [aws[0]["story_id"]],
    ).fetchall()
    assert row == [(38.0, ["Amazon", "OpenAI"], ["en", "fr"])]


def test_cooccurrence_matches_the_manifest(ro, truth):
    orgs: dict[int, set[str]] = defaultdict(set)
    first: dict[int, date] = {}
    for a in truth:
        orgs[a["story_id"]] |= set(a["orgs"])
    start = dict(
        ro.execute(
            "SELECT article_id, CAST(make_timestamp(epoch_us(published_at)) AS DATE) FROM documents"
        ).fetchall()
    )
    for story in orgs:
        first[story] = start[story].replace(day=1)
    expected: dict[tuple, int] = defaultdict(int)
    for story, names in orgs.items():
        for a, b in combinations(sorted(names), 2):
            expected[(first[story], a, b)] += 1
    tracked = {org for names in orgs.values() for org in names}
    got = {
        (month, a, b): n
        for month, a, b, n in ro.execute(
            "SELECT month, org_a, org_b, stories FROM cooccurrence"
        ).fetchall()
        if a in tracked and b in tracked
    }
    assert got == dict(expected)
    assert got[(date(2025, 9, 1), "Nvidia", "OpenAI")] == 6


def test_rising_relative_to_a_reference_day(ro, truth):
    # The view's "this week" is the 7 days to the latest article (2025-11-25): nothing rose.
    assert ro.execute("SELECT max(published_at)::DATE FROM articles").fetchall()[0][0] == date(
        2025, 11, 25
    )
    assert ro.execute("SELECT * FROM rising").fetchall() == []
    ref = date(2025, 11, 13)
    window = [a for a in truth if ref - timedelta(days=6) <= a["day"] <= ref]
    before = [a for a in truth if ref - timedelta(days=62) <= a["day"] < ref - timedelta(days=6)]

    def stories(articles: list[dict], org: str) -> int:
        return len({a["story_id"] for a in articles if org in a["orgs"]})

    tracked = {org for a in truth for org in a["orgs"]}
    got = {
        name: (n, baseline, new)
        for name, n, baseline, new in ro.execute(
            "SELECT name, stories, baseline, new FROM rising_at(DATE '2025-11-13') "
            "WHERE kind = 'org'"
        ).fetchall()
        if name in tracked
    }
    expected = {}
    for org in {o for a in window for o in a["orgs"]}:
        n, prior = stories(window, org), stories(before, org)
        if n >= 2 and n >= 2 * prior / 8:
            expected[org] = (n, prior / 8, prior == 0)
    assert got == expected
    assert got["Microsoft"] == (4, 1.375, False)


def test_source_health_shows_the_dead_feed(ro, truth):
    specials = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))["special"]
    errors = defaultdict(int)
    for s in specials:
        errors[s["outlet"]] += s["kind"] in ERROR_KINDS
    every = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))["article"]
    articles = defaultdict(int)
    for a in every:
        articles[a["outlet"]] += 1
    rows = {
        r[0]: r[1:]
        for r in ro.execute(
            "SELECT source, status, errors_7d, articles, last_success IS NULL, error_rate "
            "FROM source_health"
        ).fetchall()
    }
    assert rows["deadwire"] == ("dead", 1, 0, True, 1.0)
    for outlet in ("gridledger", "computeweekly", "courrier", "infraeuropa"):
        status, errs, n, never, _ = rows[outlet]
        assert (errs, n, never) == (errors[outlet], articles[outlet], False), outlet
        assert status == ("degraded" if errors[outlet] else "ok"), outlet
    assert errors["gridledger"] == 5 and errors["computeweekly"] == 1


def test_trend_functions(ro):
    per = tr.period(ro)
    assert (per.since, per.until) == (date(2025, 9, 8), date(2025, 11, 25))
    assert len(per.buckets()) == 12
    table = tr.names_table(ro, "orgs", per, top=3)
    assert [r[1] for r in table.rows] == ["Nvidia", "Microsoft", "OpenAI"]
    assert all(len(r[6]) == 12 for r in table.rows)  # one sparkline character per week
    months = tr.period(ro, date(2025, 9, 1), None, "month")
    summary, largest = tr.deals_tables(ro, "power", months, top=3)
    assert summary.rows == [("2025-09", 2, 17.0), ("2025-10", 9, 24.55), ("2025-11", 6, 2.44)]
    assert [r[1] for r in largest.rows] == ["> 10 GW", "10 GW", "~ 7 GW"]
    with pytest.raises(ValueError):
        tr.period(ro, date(2025, 12, 1), date(2025, 11, 1))


def test_trends_command(ingested):
    db = str(ingested["db"])
    runner = CliRunner()
    result = runner.invoke(app, ["trends", "orgs", "--db", db, "--top", "3"])
    assert result.exit_code == 0, result.output
    assert "Nvidia" in result.output and "2025-W48" in result.output
    result = runner.invoke(app, ["trends", "power", "--db", db, "--interval", "month"])
    assert result.exit_code == 0, result.output
    assert "17 stories, 44.0 GW in all." in result.output
    result = runner.invoke(app, ["trends", "rising", "--db", db])
    assert result.exit_code == 0 and "No organisation or accelerator" in result.output
    assert "(--until 2025-11-18)" in result.output
    result = runner.invoke(app, ["trends", "rising", "--db", db, "--until", "2025-11-13"])
    assert result.exit_code == 0 and "Microsoft" in result.output
    result = runner.invoke(app, ["trends", "money", "--db", db, "--since", "2025-10-01",
                                 "--until", "2025-10-31", "--top", "1"])  # fmt: skip
    assert result.exit_code == 0 and "5 stories, 83.1 US$ bn in all." in result.output
    assert runner.invoke(app, ["trends", "people", "--db", db]).exit_code == EXIT_BAD_INPUT
    assert (
        runner.invoke(app, ["trends", "orgs", "--db", db, "--interval", "day"]).exit_code
        == EXIT_BAD_INPUT
    )
