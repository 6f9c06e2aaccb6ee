"""Property and fuzz tests (Hypothesis): parsers raise only their documented errors, are
deterministic, and canonical URLs are a fixed point; random HTML through extraction and tagging.

Bounded for CI: a fixed number of examples per test, derandomized (the same examples on every
run, no example database), no deadline (the first call loads trafilatura and the taxonomy).
"""

from __future__ import annotations

import contextlib
import math
import string
from datetime import datetime

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from gigawatch.extract import Extracted, extract_page
from gigawatch.quantities import NUM_RE, find_quantities, parse_number
from gigawatch.sources import SourcesConfig, SourcesError, load_sources, parse_sources
from gigawatch.tagger import Tagger
from gigawatch.taxonomy import load_taxonomy
from gigawatch.urls import canonical_url

BOUNDED = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
FEW = settings(BOUNDED, max_examples=60)  # the slower ones (trafilatura per example)

LANGS = st.sampled_from([None, "en", "fr", "de", "es", "it", "zh", "xx"])

# --------------------------------------------------------------------------- quantities

# Words the quantity regexes care about, so that random text often comes close to a quantity.
QUANTITY_WORDS = [
    "GW", "MW", "kW", "TW", "GWh", "TWh", "MWe", "W", "gigawatts", "mégawatts", "Gigawatt",
    "gigavatios", "gigawatt-hours", "$", "US$", "€", "£", "¥", "₹", "₩", "%", "USD", "EUR",
    "Rs.", "C$", "M€", "Md€", "Mds", "Mrd.", "Mio.", "bn", "m", "b", "k", "tn", "million",
    "billion", "billón", "milliards", "Milliarden", "mil millones", "miles de millones", "lakh",
    "crore", "dollars", "euros", "won", "shares", "actions", "Aktien", "stake", "du capital",
    "Beteiligung", "Prozent", "pour cent", "por ciento", "per share", "up to", "more than",
    "about", "jusqu'à", "bis zu", "hasta", "between", "and", "to", "entre", "et", "zwischen",
    "und", "y", "a", "-", "–", "by", "in", "d'ici", "one", "a", "un", "ein", "plus d'un",
    ".", ",", ";", "\n", " ", "\u00a0", "\u202f", "\u2009", "(", ")", "«", "»",
]  # fmt: skip
NUMBERS = st.one_of(
    st.integers(min_value=0, max_value=10**15).map(str),
    st.integers(min_value=10**300, max_value=10**400).map(str),  # past the largest float
    st.from_regex(r"\d{1,4}([.,]\d{1,4}){0,3}", fullmatch=True),
    st.from_regex(r"\d{1,3}([ \u00a0\u202f\u2009]\d{3}){1,3}([.,]\d{1,3})?", fullmatch=True),
    st.sampled_from(["2030", "1,5", "1.000", "1,000", "0,125", "0.000", "1.2.3", "10,000.5"]),
)
QUANTITY_TEXT = st.lists(
    st.one_of(NUMBERS, st.sampled_from(QUANTITY_WORDS), st.text(max_size=4)), max_size=30
).map(lambda parts: "".join(p if p in ".,;\n" else f" {p}" for p in parts))


@BOUNDED
@given(text=st.one_of(QUANTITY_TEXT, st.text(max_size=200)), lang=LANGS)
def test_find_quantities_never_raises_and_is_deterministic(text: str, lang: str | None) -> None:
    found = find_quantities(text, lang)
    assert found == find_quantities(text, lang)
    for q in found:
        assert 0 <= q.start < q.end <= len(text)
        assert q.kind in ("power", "energy", "money", "stake", "shares")
        assert math.isfinite(q.value) and q.value >= 0
        if q.low is not None:
            assert q.qualifier == "range" and 0 <= q.low < q.value


@BOUNDED
@given(text=QUANTITY_TEXT, lang=LANGS, data=st.data())
def test_find_quantities_with_any_trigger_spans(text: str, lang: str | None, data) -> None:
    """The tagger passes trigger spans; any spans inside (or at the edges of) the text work."""
    n = len(text)
    spans = data.draw(
        st.lists(st.tuples(st.integers(0, n), st.integers(0, 8)), max_size=6).map(
            lambda xs: [(s, min(n, s + k)) for s, k in xs]
        )
    )
    find_quantities(text, lang, spans)


@BOUNDED
@given(text=st.one_of(QUANTITY_TEXT, st.text(max_size=60)), lang=LANGS)
def test_parse_number_of_any_matched_number_is_a_number_or_none(text: str, lang) -> None:
    """Documented: a float, or None when the grouping is not a number; never an exception."""
    for m in NUM_RE.finditer(text):
        value = parse_number(m.group(), lang)
        assert value is None or (math.isfinite(value) and value >= 0)
        assert value == parse_number(m.group(), lang)


@BOUNDED
@given(raw=st.text(max_size=30), lang=LANGS)
def test_parse_number_of_any_string_raises_only_value_error(raw: str, lang) -> None:
    with contextlib.suppress(ValueError):
        parse_number(raw, lang)


# --------------------------------------------------------------------------- URLs

HOSTS = st.one_of(
    st.sampled_from(
        [
            "example.com",
            "WWW.Example.COM",
            "www.example.com.",
            "edition.cnn.com",
            "a.github.io",
            "127.0.0.1",
            "localhost",
            "[::1]",
            "xn--bcher-kva.example",
            "bücher.example",
            "www-example-com.cdn.ampproject.org",
            "user:pw@example.org",
            "example.com:80",
            "example.com:8443",
            "example.co.uk",
            "news.example.de",
        ]
    ),
    st.from_regex(r"[a-z0-9-]{1,10}(\.[a-z]{2,5}){1,2}", fullmatch=True),
)
PATH_PARTS = st.one_of(
    st.sampled_from(["amp", "AMP", "a.amp.html", "x.amp", "..", ".", "", "index.html",
                     ";jsessionid=ABC", "c", "s", "%7Euser", "é", "a b", "%2F", "news"]),
    st.text(alphabet=string.ascii_letters + string.digits + "-_.~%;=@!$&'()*+,:é", max_size=8),
)  # fmt: skip
QUERY_PARTS = st.one_of(
    st.sampled_from(["utm_source=rss", "amp=1", "amp", "outputType=amp", "id=5", "storyid=2",
                     "fbclid=x", "gclid=1", "a=", "=b", "p=1&p=2", "usqp=mq331AQ", "q=a+b",
                     "x=%20y", "ref=home", "page=2", "amp_js_v=0.1"]),
    st.text(alphabet=string.ascii_letters + string.digits + "=&%+-_.", max_size=10),
)  # fmt: skip


@st.composite
def urls(draw) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "Https"]))
    host = draw(HOSTS)
    path = "/" + "/".join(draw(st.lists(PATH_PARTS, max_size=5)))
    if draw(st.booleans()):
        path += "/"
    query = "&".join(draw(st.lists(QUERY_PARTS, max_size=4)))
    frag = draw(st.sampled_from(["", "#top", "#", "#a/b"]))
    url = f"{scheme}://{host}{path}" + (f"?{query}" if query else "") + frag
    if draw(st.booleans()) and host.startswith("www-example-com.cdn"):
        url = f"https://{host}/c/s/www.example.com{path}"
    return url


@BOUNDED
@given(url=urls())
def test_canonical_url_is_idempotent(url: str) -> None:
    try:
        once = canonical_url(url)
    except ValueError:
        return
    assert canonical_url(once) == once, once


@BOUNDED
@given(url=urls(), own=st.one_of(st.none(), urls(), st.text(max_size=20)))
def test_canonical_url_with_a_page_canonical_is_idempotent(url: str, own) -> None:
    try:
        once = canonical_url(url, page_canonical=own)
    except ValueError:
        return
    assert canonical_url(once) == once
    assert canonical_url(once, page_canonical=once) == once


@BOUNDED
@given(url=st.one_of(st.text(max_size=40), st.from_regex(r"https?://.{0,30}", fullmatch=True)),
       own=st.one_of(st.none(), st.text(max_size=30)))  # fmt: skip
def test_canonical_url_of_any_text_raises_only_value_error(url: str, own) -> None:
    try:
        out = canonical_url(url, page_canonical=own)
    except ValueError:
        return
    assert out.lower().startswith(("http://", "https://"))


# --------------------------------------------------------------------------- sources

KEYS = ["name", "feeds", "sitemaps", "start_urls", "allowed_domains", "follow", "articles",
        "archives", "cdx", "language", "nmae", "feed"]  # fmt: skip
CRAWL_KEYS = ["download_delay", "concurrent_requests_per_domain", "autothrottle", "obey_robots",
              "max_page_bytes", "depth_limit", "cdx_api", "retry_times", "delay"]  # fmt: skip
SCALARS = st.one_of(
    st.sampled_from(['"https://example.com/feed.xml"', '"http://127.0.0.1:1/x"', '"ftp://x"',
                     '"/news/"', '"("', '"[a-"', '""', '"a.example.com"', '"en"', '"EN"',
                     '"https://e.com/{yyyy}/{mm}/"', '"https://e.com/archive"', "1", "-1", "0.5",
                     "true", "1979-05-27", "nan", "inf", '"src"', '"Bad Name"', "[]", "{}"]),
    st.text(max_size=8).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
)  # fmt: skip
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3).map(lambda v: f"[{', '.join(v)}]"))


@st.composite
def sources_text(draw) -> str:
    lines = []
    if draw(st.booleans()):
        lines.append("[crawl]")
        for key in draw(st.lists(st.sampled_from(CRAWL_KEYS), max_size=3, unique=True)):
            lines.append(f"{key} = {draw(VALUES)}")
    for _ in range(draw(st.integers(0, 3))):
        lines.append(draw(st.sampled_from(["[[source]]", "[[source]]", "[source]", "[other]"])))
        for key in draw(st.lists(st.sampled_from(KEYS), max_size=5, unique=True)):
            lines.append(f"{key} = {draw(VALUES)}")
    if draw(st.booleans()):  # a valid entry, so that some files parse
        lines += ["[[source]]", f'name = "{draw(st.sampled_from(["a", "b", "x.y"]))}"',
                  'feeds = ["https://example.com/feed.xml"]']  # fmt: skip
    return "\n".join(lines) + "\n"


def _parse(text: str) -> SourcesConfig | SourcesError:
    try:
        return parse_sources(text, "s.toml")
    except SourcesError as exc:
        assert exc.problems and all(isinstance(p, str) for p in exc.problems)
        return exc


VALID = '\n[[source]]\nname = "a"\nfeeds = ["https://example.com/feed.xml"]\n'


@BOUNDED
@given(text=st.one_of(sources_text(), st.text(max_size=80)))
@example(text="[crawl]\ndownload_delay = nan" + VALID)
@example(text="[crawl]\ndownload_timeout = inf" + VALID)
def test_parse_sources_raises_only_sources_error_and_is_deterministic(text: str) -> None:
    first, second = _parse(text), _parse(text)
    if isinstance(first, SourcesError):
        assert isinstance(second, SourcesError) and first.problems == second.problems
    else:
        assert first == second
        assert first.sources and len({s.name for s in first.sources}) == len(first.sources)
        numbers = [v for v in vars(first.crawl).values() if isinstance(v, float)]
        assert all(math.isfinite(v) and v >= 0 for v in numbers), first.crawl


@FEW
@given(raw=st.one_of(st.binary(max_size=80), sources_text().map(str.encode)))
def test_load_sources_of_any_file_raises_only_sources_error(tmp_path_factory, raw: bytes) -> None:
    """Documented: a missing file, bytes that are not UTF-8 or invalid TOML all raise
    SourcesError; the same file loads the same twice."""
    path = tmp_path_factory.mktemp("src") / "sources.toml"
    path.write_bytes(raw)
    results = []
    for _ in range(2):
        try:
            results.append(load_sources(path))
        except SourcesError as exc:
            results.append(exc.problems)
    assert results[0] == results[1]
    with pytest.raises(SourcesError, match="file not found"):
        load_sources(path.with_name("missing.toml"))


# --------------------------------------------------------------------------- HTML fuzz

TAGS = ["html", "head", "body", "title", "meta", "article", "main", "div", "p", "span", "a",
        "h1", "h2", "ul", "li", "table", "tr", "td", "script", "style", "nav", "footer", "br",
        "img", "pre", "code", "svg", "math", "template", "noscript", "iframe", "time", "figure",
        "blockquote", "b", "i", "x-custom", "!--", "![CDATA["]  # fmt: skip
ATTRS = st.sampled_from([
    "", ' class="byline"', ' class="author"', ' itemprop="author"', ' lang="fr"',
    ' href="/news/x"', ' property="og:url" content="https://example.com/a"',
    ' rel="canonical" href="http://other.example/b"', ' name="date" content="2025-13-45"',
    ' property="article:published_time" content="0000-00-00T99:99"', ' charset="x-unknown"',
    ' datetime="2025-10-01"', ' style="display:none"', ' onload="x()"', ' class="a" class="b"',
    " =broken", ' content="\x00"',
])  # fmt: skip
ENTITIES = st.sampled_from(["&amp;", "&lt;", "&gt;", "&nbsp;", "&#0;", "&#xD800;", "&#1114112;",
                            "&bogus;", "&#x1F600;", "&", "&#", "&eacute;", "\ufeff", "\x00",
                            "\r\n", "<!-->", "]]>", "<?xml?>", "<!DOCTYPE html>"])  # fmt: skip
WORDS = st.sampled_from([
    "Nvidia", "OpenAI", "AMD", "a 1.2 GW campus", "$100 billion", "6 gigawatts", "10 % du capital",
    "By Jane Doe", "Par Claire Martin", "Von Anna Schmidt", "data centre", "Stargate", "H100",
    "Published 2025-10-01", "1,5 Mrd. Euro", "mil millones", "Texas", "lorem ipsum dolor sit amet",
])  # fmt: skip
TEXT = st.one_of(WORDS, ENTITIES, st.text(max_size=12))


def _node(children):
    return st.tuples(st.sampled_from(TAGS), ATTRS, children, st.booleans()).map(
        lambda t: f"<{t[0]}{t[1]}>{''.join(t[2])}" + (f"</{t[0]}>" if t[3] else "")
    )


TAG_SOUP = st.recursive(
    st.lists(TEXT, max_size=4).map("".join),
    lambda inner: _node(st.lists(inner, max_size=4)),
    max_leaves=25,
)
# Enough words in one <article> that trafilatura sometimes accepts it (MIN_TEXT_CHARS).
LONG_ARTICLE = st.lists(WORDS, min_size=20, max_size=60).map(
    lambda ws: "<html><body><article><h1>Title</h1><p>" + " ".join(ws) + "</p></article>"
)
HTML = st.one_of(TAG_SOUP, st.tuples(TAG_SOUP, LONG_ARTICLE, TAG_SOUP).map("".join))


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(load_taxonomy(None))


def _check(result: Extracted) -> None:
    assert isinstance(result, Extracted) and result.fetch_id == "f1"
    if result.ok:
        assert result.text and result.url and result.article_id is not None
        assert canonical_url(result.url) == result.url
    else:
        assert result.error


# What the spider writes as ``listed_date``: a feed or sitemap time's isoformat(), or None.
# From 1970 on: before, zoneinfo has local-mean-time offsets with seconds ("+00:52:44"),
# which dateutil's isoparse refuses; no feed or sitemap writes those.
LISTED = st.one_of(
    st.none(),
    st.datetimes(
        min_value=datetime(1970, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.one_of(st.none(), st.timezones()),
    ).map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.isoformat()),
)


@FEW
@given(html=HTML, encoding=st.sampled_from([None, "utf-8", "latin-1", "utf-16", "bogus-enc"]),
       listed=LISTED)  # fmt: skip
def test_random_html_through_extraction_never_raises(html, encoding, listed) -> None:
    body = (
        html.encode(encoding or "utf-8", errors="replace")
        if encoding != "bogus-enc"
        else (html.encode("utf-8"))
    )
    result = extract_page("f1", body, encoding, "https://example.com/news/a", "en", listed)
    _check(result)


@FEW
@given(body=st.binary(max_size=300))
def test_random_bytes_through_extraction_never_raise(body: bytes) -> None:
    _check(extract_page("f1", body, None, "https://example.com/news/a"))


@BOUNDED
@given(title=st.one_of(TEXT, st.text(max_size=40)), html=HTML, lang=LANGS)
def test_random_text_through_tagging_never_raises(tagger: Tagger, title, html, lang) -> None:
    """Tag soup as text (what a bad extraction could hand over), any title and language."""
    for text in (html, html.replace("<", " ")):
        tags = tagger.tag(title, text, lang)
        assert tags.relevance == tagger.tag(title, text, lang).relevance
        for fact in tags.facts:
            s, e = fact.span
            assert 0 <= s < e <= len(text)


@FEW
@given(html=st.tuples(TAG_SOUP, LONG_ARTICLE, TAG_SOUP).map("".join))
def test_extracted_random_articles_tag(tagger: Tagger, html: str) -> None:
    result = extract_page("f1", html.encode(), "utf-8", "https://example.com/news/a", "en")
    _check(result)
    assume(result.ok)
    tagger.tag(result.title or "", result.text or "", result.language)
