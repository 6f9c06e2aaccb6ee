from pathlib import Path

import pytest
from typer.testing import CliRunner

from gigawatch.cli import EXIT_BAD_INPUT, app
from gigawatch.sources import SourcesError, load_sources, parse_sources

GOOD = """
[crawl]
download_delay = 0.5
concurrent_requests_per_domain = 4

[[source]]
name = "gridledger"
feeds = ["https://gridledger.example/feed.xml"]
sitemaps = ["https://gridledger.example/news-sitemap.xml"]
language = "en"

[[source]]
name = "infraeuropa"
start_urls = ["https://infraeuropa.example/de/"]
follow = ["/de/"]
articles = ["/de/\\\\d{4}/"]
"""


def problems(text: str) -> list[str]:
    with pytest.raises(SourcesError) as info:
        parse_sources(text, "s.toml")
    return info.value.problems


def test_valid_file_parses_with_crawl_settings_and_defaults():
    config = parse_sources(GOOD)
    assert [s.name for s in config.sources] == ["gridledger", "infraeuropa"]
    assert config.crawl.download_delay == 0.5
    assert config.crawl.concurrent_requests_per_domain == 4
    assert config.crawl.obey_robots is True
    # allowed_domains defaults to the hosts of start_urls
    assert config.sources[1].allowed_domains == ["infraeuropa.example"]


def test_unknown_key_is_named_with_a_suggestion():
    text = '[[source]]\nname = "a"\nfeed = ["https://a.example/rss"]\n'
    assert "source[0] 'a': unknown key 'feed' (did you mean 'feeds'?)" in problems(text)


def test_missing_name_bad_url_and_bad_regex_are_all_reported():
    text = (
        '[[source]]\nfeeds = ["https://a.example/rss"]\n'
        '[[source]]\nname = "b"\nsitemaps = ["ftp://b.example/s.xml"]\n'
        '[[source]]\nname = "c"\nstart_urls = ["https://c.example/"]\nfollow = ["("]\n'
    )
    found = problems(text)
    assert "source[0]: missing 'name'" in found
    assert any("source[1] 'b': sitemaps: bad URL 'ftp://b.example/s.xml'" in p for p in found)
    assert any(p.startswith("source[2] 'c': follow: bad regular expression '('") for p in found)


def test_duplicate_names_bad_types_and_empty_sources():
    text = (
        '[crawl]\ndownload_delay = "fast"\n'
        '[[source]]\nname = "a"\nfeeds = ["https://a.example/rss"]\n'
        '[[source]]\nname = "a"\nfeeds = ["https://a.example/rss2"]\n'
    )
    found = problems(text)
    assert "[crawl]: download_delay must be a float, got 'fast'" in found
    assert "source[1] 'a': duplicate name" in found
    assert problems("") == ["no [[source]] entries"]
    assert problems('[[source]]\nname = "x"\n') == [
        "source[0] 'x': needs at least one of feeds, sitemaps, start_urls, archives or cdx"
    ]


def test_not_toml_and_missing_file(tmp_path: Path):
    assert problems("[[source]\nname=")[0].startswith("not valid TOML")
    with pytest.raises(SourcesError, match="file not found"):
        load_sources(tmp_path / "nope.toml")


def test_select_unknown_source():
    with pytest.raises(SourcesError, match="unknown source 'nope'"):
        parse_sources(GOOD).select(["nope"])


def test_sources_check_command(tmp_path: Path):
    runner = CliRunner()
    good = tmp_path / "good.toml"
    good.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(app, ["sources", "check", "--sources", str(good)])
    assert result.exit_code == 0, result.output
    assert "2 sources, valid" in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text('[[source]]\nname = "Bad Name"\nfeeds = ["nope"]\n', encoding="utf-8")
    result = runner.invoke(app, ["sources", "check", "--sources", str(bad)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "name must be lowercase" in result.output
    assert "bad URL 'nope'" in result.output


def test_every_problem_is_listed_unknown_keys_first_within_each_table():
    text = (
        'colour = "blue"\n[crawl]\nretry_times = -1\ndownload_dellay = 1\n'
        '[[source]]\nname = "a"\nfeeds = ["https://a.example/rss", "nope"]\nlangauge = "en"\n'
    )
    assert problems(text) == [
        "top level: unknown key 'colour' (expected one of: crawl, source, watches, cc_news)",
        "[crawl]: unknown key 'download_dellay' (did you mean 'download_delay'?)",
        "[crawl]: retry_times must not be negative, got -1",
        "source[0] 'a': unknown key 'langauge' (did you mean 'language'?)",
        "source[0] 'a': feeds: bad URL 'nope' (expected http:// or https:// with a host)",
    ]
