"""Watches without a crawl: the watches file and its error messages, filters, updates, digest
periods, messages, delivery with retries, and hostile watch SQL refused by `gigawatch watch
check` and at evaluation (a real DuckDB warehouse, a real webhook on 127.0.0.1)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gigawatch.cli import app
from gigawatch.config import ConfigError
from gigawatch.sources import parse_sources
from gigawatch.taxonomy import load_taxonomy
from gigawatch.watches import load_watches
from gigawatch.watches import render as rd
from gigawatch.watches.deliver import Message, masked, send
from gigawatch.watches.model import SqlSettings, Watch, WatchFilter
from gigawatch.watches.names import unknown_names
from gigawatch.watches.periods import is_closed, period_end, period_start
from gigawatch.watches.story import Snapshot, changes, matches
from tests.watchkit import Webhook, closed_port
from warehouse import db as wh
from warehouse import sandbox, schema, watch_store

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = {
    "ddl": "CREATE TABLE x AS SELECT 1 AS story_id",
    "drop": "DROP TABLE documents",
    "insert": "INSERT INTO watch_alerts SELECT * FROM watch_alerts",
    "copy": "COPY (SELECT story_id FROM stories) TO '/tmp/gigawatch-leak.csv'",
    "passwd": "SELECT 1 AS story_id FROM read_csv('/etc/passwd')",
    "glob": "SELECT 1 AS story_id FROM glob('/etc/*')",
    "url": "SELECT 1 AS story_id FROM read_json('http://127.0.0.1:9/x.json')",
    "multi": "SELECT story_id FROM stories; DROP TABLE documents",
    "attach": "ATTACH '/tmp/other.duckdb' AS other",
    "set": "SET enable_external_access = true",
    "pragma": "PRAGMA database_list",
    "explain": "EXPLAIN SELECT story_id FROM stories",
    "no_story_id": "SELECT headline FROM stories",
}


def snap(**kw) -> Snapshot:
    base = dict(story_id=1, headline="OpenAI orders 6 GW | of AMD [chips]", url="http://x/1",
                first_seen=datetime(2025, 10, 6, 8, tzinfo=UTC), last_seen=None, n_articles=1,
                n_sources=1, sources=("wire-a",), languages=("en",),
                organisations=("AMD", "OpenAI"), accelerators=("AMD Instinct MI450",),
                topics=("chips and supply chain",), places=(), relevance=0.9, gw=6.0,
                usd=None)  # fmt: skip
    return Snapshot(**(base | kw))  # type: ignore[arg-type]


def write(tmp_path: Path, text: str, name: str = "watches.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_watches_file_is_valid():
    parsed = load_watches(ROOT / "watches.toml")
    assert {w.name for w in parsed.watch} >= {"gigawatt-deals", "told-everywhere"}
    assert unknown_names(parsed, "watches.toml", load_taxonomy()) == []
    result = CliRunner().invoke(app, ["watch", "check", "--watches", str(ROOT / "watches.toml"),
                                      "--db", str(ROOT / "no-such.duckdb")])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "4 watches, valid" in result.output


def test_problems_are_listed_by_file_watch_and_key(tmp_path):
    path = write(
        tmp_path,
        """
[delivery]
attempts = 0
[[watch]]
name = "Big Deals"
notify = ["nosuchscheme://x", 3]
digest = "monthly"
[watch.filter]
min_gw = -1
organisations = "OpenAI"
colour = "red"
[[watch]]
name = "both"
sql = "SELECT story_id FROM stories"
[watch.filter]
min_gw = 1
[[watch]]
name = "neither"
[[watch]]
name = "empty"
[watch.filter]
[[watch]]
name = "fine"
sql = "SELECT story_id FROM stories"
[[watch]]
name = "fine"
sql = "SELECT story_id FROM stories"
""",
    )
    with pytest.raises(ConfigError) as exc:
        load_watches(path)
    assert exc.value.problems == [
        "watches.toml: [delivery]: attempts must be a whole number of at least 1, got 0",
        "watches.toml: watch[0] 'Big Deals': unknown key 'colour' (expected one of: "
        "organisations, accelerators, topics, places, languages, sources, min_gw, min_usd, "
        "relevance)",
        "watches.toml: watch[0] 'Big Deals': name must be lowercase letters, digits, '.', '_' "
        "or '-', got 'Big Deals'",
        "watches.toml: watch[0] 'Big Deals': organisations must be a list of names, got 'OpenAI'",
        "watches.toml: watch[0] 'Big Deals': min_gw must not be negative, got -1",
        "watches.toml: watch[0] 'Big Deals': notify: Apprise cannot send to nosuchscheme://…: "
        "Unparseable URL nosuchscheme://x",
        "watches.toml: watch[0] 'Big Deals': notify: 3 is not an Apprise URL (scheme://…, e.g. "
        "mailto://, json://)",
        "watches.toml: watch[0] 'Big Deals': digest must be one of none, daily, weekly, got "
        "'monthly'",
        "watches.toml: watch[1] 'both': give a filter or an sql query, not both",
        "watches.toml: watch[2] 'neither': needs a filter or an sql query",
        "watches.toml: watch[3] 'empty': filter: give at least one condition (an empty filter "
        "would match every story; `relevance = 0` says so on purpose)",
        "watches.toml: watch[5] 'fine': duplicate name",
    ]
    result = CliRunner().invoke(app, ["watch", "check", "--watches", str(path)])
    assert result.exit_code == 2
    assert "watch[5] 'fine': duplicate name" in result.output


def test_names_are_checked_against_the_taxonomy_and_the_sources(tmp_path):
    path = write(
        tmp_path,
        """
[[watch]]
name = "names"
[watch.filter]
organisations = ["OpenAi", "Open AI", "Nobody Corp Ltd"]
topics = ["nuclear"]
sources = ["wire-z"]
""",
    )
    problems = unknown_names(load_watches(path), path, load_taxonomy(), sources=["wire-a"])
    assert problems == [
        "watches.toml: watch[0] 'names': filter.organisations: unknown organisation 'Open AI' "
        "(an alias of 'OpenAI': filters use canonical names)",
        "watches.toml: watch[0] 'names': filter.organisations: unknown organisation "
        "'Nobody Corp Ltd' (no such organisation)",
        "watches.toml: watch[0] 'names': filter.sources: unknown source 'wire-z' (did you mean "
        "'wire-a'?)",
    ]  # 'OpenAi' is OpenAI: names compare case-blind


def test_the_sources_file_names_the_watches_file_beside_it(tmp_path):
    text = 'watches = "w/watches.toml"\n[[source]]\nname = "a"\nfeeds = ["http://127.0.0.1/f"]\n'
    config = parse_sources(text, tmp_path / "sources.toml")
    assert config.watches == str(tmp_path / "w" / "watches.toml")
    assert config.select(["a"]).watches == config.watches
    with pytest.raises(ValueError, match="watches must be the path of a watches file"):
        parse_sources('watches = 3\n[[source]]\nname = "a"\nfeeds = ["http://127.0.0.1/f"]\n')


def test_a_filter_needs_every_condition_and_one_name_of_each_list():
    f = WatchFilter(organisations=("amd", "Nvidia"), min_gw=1, languages=("en",))
    assert matches(f, snap())
    assert not matches(f, snap(gw=0.5))
    assert not matches(f, snap(gw=None))
    assert not matches(f, snap(organisations=("OpenAI",)))
    assert not matches(f, snap(languages=("fr",)))
    assert matches(WatchFilter(min_usd=1e9), snap(usd=2e9))
    assert not matches(WatchFilter(min_usd=1e9), snap(usd=None))
    assert not matches(WatchFilter(relevance=0.95), snap())
    assert matches(WatchFilter(topics=("Chips and supply chain",), sources=("wire-a",)), snap())


def test_changes_name_new_outlets_and_figures_only():
    before = snap().state()
    assert changes(before, snap()) == []
    later = snap(n_articles=2, n_sources=2, sources=("wire-a", "wire-b"), usd=3e10,
                 money=3e10, currency="USD")  # fmt: skip
    assert changes(before, later) == ["now told by 2 outlets (new: wire-b)",
                                      "figure: 30.0 bn USD"]  # fmt: skip


def test_digest_periods_are_utc_days_and_iso_weeks():
    wed = datetime(2025, 10, 8, 23, 30, tzinfo=UTC)
    assert period_start(wed, "daily") == date(2025, 10, 8)
    assert period_start(wed, "weekly") == date(2025, 10, 6)
    assert period_end(date(2025, 10, 6), "weekly") == datetime(2025, 10, 13, tzinfo=UTC)
    assert not is_closed(date(2025, 10, 8), "daily", wed)
    assert is_closed(date(2025, 10, 8), "daily", datetime(2025, 10, 9, tzinfo=UTC))


def test_messages_escape_markdown_and_html():
    w = Watch(name="w", description="Big <deals>", filter=WatchFilter(min_gw=1))
    m = rd.alert(w, snap())
    assert m.title == "[gigawatch w] OpenAI orders 6 GW | of AMD [chips]"
    assert "**[OpenAI orders 6 GW \\| of AMD \\[chips\\]](http://x/1)**" in m.markdown
    assert "Big &lt;deals&gt;" in m.html and "<deals>" not in m.html
    d = rd.digest(rd.Digest(Watch(name="w", digest="weekly", filter=WatchFilter(min_gw=1)),
                            date(2025, 10, 6), [snap(), snap(story_id=2, gw=1.0)]))  # fmt: skip
    assert d.title == "[gigawatch w] Weekly digest, week of 6 Oct 2025 (6–12 Oct): 2 stories"
    assert d.markdown.count("\n| 6 Oct 2025 |") == 2
    assert d.html.count("<tr data-story=") == 2


def test_delivery_retries_with_backoff_then_records_the_error():
    waits: list[float] = []
    port = closed_port()
    out = send(f"json://127.0.0.1:{port}/x", Message("t", "m", "<p>m</p>"), attempts=3,
               backoff=0.5, timeout=2, sleep=waits.append)  # fmt: skip
    assert not out.delivered and out.attempts == 3 and waits == [0.5, 1.0]
    assert "Connection refused" in (out.error or "")
    with Webhook() as hook:
        ok = send(f"json://127.0.0.1:{hook.port}/in", Message("t", "**m**", "<p>m</p>"))
        assert ok.delivered and ok.attempts == 1 and ok.error is None
        assert hook.at("/in")[0]["message"] == "**m**"


def test_channels_are_recorded_with_their_secrets_masked():
    shown = masked("mailtos://user:s3cret@mail.example.org?to=a@example.org")
    assert "s3cret" not in shown and shown.startswith("mailtos://user:")


@pytest.fixture
def warehouse_file(tmp_path):
    db = tmp_path / "w.duckdb"
    schema.ensure_schema(db)
    return db


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_watch_sql_is_refused_at_evaluation(warehouse_file, name):
    con = watch_store.open_reader(warehouse_file, SqlSettings(timeout=5))
    try:
        with pytest.raises(sandbox.SqlRefused, match="^refused: "):
            watch_store.sql_stories(con, HOSTILE[name], None, SqlSettings(timeout=5))
    finally:
        con.close()
    assert not Path("/tmp/gigawatch-leak.csv").exists()
    con = wh.connect(warehouse_file, read_only=True)  # nothing was changed
    try:
        assert wh.table_exists(con, "documents") and not wh.table_exists(con, "x")
    finally:
        con.close()


def test_a_runaway_watch_query_stops_at_its_time_limit(warehouse_file):
    con = watch_store.open_reader(warehouse_file, SqlSettings(timeout=0.5))
    slow = "SELECT count(*) AS story_id FROM range(100000000000) a"
    try:
        with pytest.raises(sandbox.SqlRefused, match="time limit"):
            watch_store.sql_stories(con, slow, None, SqlSettings(timeout=0.5))
    finally:
        con.close()


def test_hostile_watch_sql_is_refused_by_check(tmp_path, warehouse_file):
    entries = "".join(f'[[watch]]\nname = "{n.replace("_", "-")}"\nsql = """{sql}"""\n\n'
                      for n, sql in sorted(HOSTILE.items()))  # fmt: skip
    path = write(tmp_path, entries + '[[watch]]\nname = "fine"\n'
                 'sql = "SELECT story_id FROM stories WHERE n_sources >= 2"\n')  # fmt: skip
    result = CliRunner().invoke(app, ["watch", "check", "--watches", str(path),
                                      "--db", str(warehouse_file)])  # fmt: skip
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("watches.toml:")]
    assert len(lines) == len(HOSTILE), result.output
    assert all(": sql: refused: " in line for line in lines)
    assert "'fine'" not in result.output
    assert 'Cannot access file "/etc/passwd"' in result.output


def test_run_and_backfill_refuse_a_bad_watches_file_before_crawling(tmp_path):
    sources = write(tmp_path, '[[source]]\nname = "a"\nfeeds = ["http://127.0.0.1:9/f"]\n',
                    "sources.toml")  # fmt: skip
    bad = write(tmp_path, '[[watch]]\nname = "x"\nsql = "SELECT 1"\nupdates = "yes"\n')
    runner = CliRunner()
    for args in (["run"], ["backfill", "--since", "2025-10-01", "--until", "2025-10-02"]):
        result = runner.invoke(app, [*args, "--sources", str(sources), "--watches", str(bad),
                                     "--db", str(tmp_path / "w.duckdb")])  # fmt: skip
        assert result.exit_code == 2, result.output
        assert "watches.toml: watch[0] 'x': updates: Input should be a valid boolean" in (
            result.output
        )
        assert not (tmp_path / "w.duckdb").exists()
