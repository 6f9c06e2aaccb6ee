"""The bundled demo news site: content, markup quality, discovery files and the server."""

from __future__ import annotations

import gzip
import re
import socket
import tomllib
import urllib.error
import urllib.request
from collections import Counter
from email.message import Message
from urllib.parse import urlsplit
from xml.etree import ElementTree

import feedparser
import pytest
import trafilatura

from gigawatch.demo import MANIFEST, SITE_DIR, build_site
from gigawatch.demo.server import DemoSite
from gigawatch.demo.sources import sources_toml
from gigawatch.extract import extract_page

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
MANIFEST_DATA = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
ARTICLES = MANIFEST_DATA["article"]
SPECIALS = MANIFEST_DATA["special"]


class Fetched:
    def __init__(self, status: int, headers: Message, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self) -> str:
        return self.body.decode(self.headers.get_content_charset() or "utf-8")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, headers: dict[str, str] | None = None) -> Fetched:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=10) as r:
            return Fetched(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Fetched(e.code, e.headers, e.read())


@pytest.fixture(scope="module")
def site():
    with DemoSite() as s:
        yield s


def url(site: DemoSite, outlet: str, path: str) -> str:
    return site.base_url(outlet) + path


# -- the manifest -----------------------------------------------------------------------------


@pytest.mark.skipif(not build_site.ARTICLES_DIR.is_dir(), reason="article sources not shipped")
def test_site_is_built_from_its_sources():
    assert build_site.main(["--check"]) == 0, "run python -m gigawatch.demo.build_site"


def test_counts_and_coverage():
    assert len(ARTICLES) >= 48
    outlets = Counter(a["outlet"] for a in ARTICLES)
    assert set(outlets) == {"gridledger", "computeweekly", "courrier", "infraeuropa"}
    assert {a["language"] for a in ARTICLES} == {"en", "fr", "de", "es"}
    assert sum(not a["on_topic"] for a in ARTICLES) >= 4
    assert len({a["outlet"] for a in ARTICLES if not a["on_topic"]}) == 4
    for a in ARTICLES:
        assert "2025-09-01" <= a["published"][:10] <= "2025-11-30"
        assert a["published"][19:] in ("+00:00", "+01:00", "+02:00", "-04:00", "-05:00")


def test_story_structure():
    stories: dict[str, list[dict]] = {}
    for a in ARTICLES:
        stories.setdefault(a["story"], []).append(a)
    amd = stories["openai-amd-6gw"]
    assert {a["outlet"] for a in amd} >= {"gridledger", "computeweekly", "courrier", "infraeuropa"}
    assert {a["language"] for a in amd} == {"en", "fr", "de"}
    for a in amd:
        assert {"power 6 GW", "power 1 GW", "shares 160000000", "stake 10 %"} <= set(a["facts"])
        assert {"AMD", "OpenAI"} <= set(a["orgs"]) and "MI450" in a["chips"]
    multi = [k for k, v in stories.items() if len({a["outlet"] for a in v}) >= 2]
    assert len(multi) >= 8
    assert len([k for k in multi if len({a["language"] for a in stories[k]}) >= 2]) >= 6
    # same two companies, two different deals a month apart: two stories
    nscale = [
        k
        for k, v in stories.items()
        if all({"Microsoft", "Nscale"} <= set(a["orgs"]) for a in v)
        and k.startswith("microsoft-nscale")
    ]
    assert len(nscale) == 2
    first, second = (sorted(a["published"] for a in stories[k])[0] for k in sorted(nscale))
    assert first[:7] != second[:7]
    money = [{f for a in stories[k] for f in a["facts"] if f.startswith("money")} for k in nscale]
    assert not (money[0] & money[1])


def test_repost():
    reposts = [a for a in ARTICLES if a.get("repost_of")]
    assert len(reposts) == 1
    repost = reposts[0]
    original = next(a for a in ARTICLES if a["path"] == repost["repost_of"])
    assert repost["outlet"] == "computeweekly" and original["outlet"] == "gridledger"
    assert repost["story"] == original["story"] and repost["title"] == original["title"]
    assert repost["facts"] == original["facts"]


def test_facts_are_normalised():
    for a in ARTICLES:
        for fact in a["facts"]:
            assert build_site.FACT_RE.match(fact), (a["path"], fact)
        if not a["on_topic"]:
            assert not a["facts"] and not a["chips"]
    facts = {f for a in ARTICLES for f in a["facts"]}
    for wanted in (
        "money 100000000000 USD",
        "money 38000000000 USD",
        "money 6500000000 USD",
        "money 200000000000 EUR",
        "money 109000000000 EUR",
        "power 0.5 GW",
        "power 1.5 GW",
        "power 1.2 GW",
        "money 1000000000 EUR",
    ):
        assert wanted in facts


# -- every article page: extraction-quality gate ----------------------------------------------


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: a["outlet"] + a["path"])
def test_article_extracts(site, article):
    page_url = url(site, article["outlet"], article["path"])
    r = fetch(page_url)
    assert r.status == 200
    assert r.headers.get_content_charset() == article["encoding"]
    html = r.text
    assert "{{" not in html
    doc = trafilatura.bare_extraction(html, url=page_url, with_metadata=True)
    assert doc is not None
    assert doc.title == article["title"]
    assert doc.date and doc.date[:10] == article["published"][:10]
    assert len(doc.text) > 500
    # page furniture stays out of the text
    for junk in ("555-0142", "cookies", "Most read", "Je m'inscris", "Impressum"):
        assert junk not in doc.text
    # gigawatch's own extraction: the author from metadata, or from the visible byline
    # ("Par …", "Von … ·") where the outlet's markup names none
    got = extract_page("t", r.body, article["encoding"], page_url)
    assert got.ok and got.author == article["author"]


def test_url_variants_serve_the_same_page(site):
    variants = [(a, v) for a in ARTICLES for v in a["variants"]]
    assert any("utm_source=rss" in v for _, v in variants)
    assert any(v.endswith("/") for _, v in variants)
    for a, variant in variants:
        canonical = fetch(url(site, a["outlet"], a["path"]))
        other = fetch(url(site, a["outlet"], variant))
        assert other.status == 200 and other.body == canonical.body
    for a in ARTICLES:
        if a["outlet"] == "gridledger":
            html = fetch(url(site, a["outlet"], a["path"])).text
            assert f'<link rel="canonical" href="{url(site, "gridledger", a["path"])}">' in html


# -- discovery files --------------------------------------------------------------------------


def paths_of(site: DemoSite, outlet: str, urls: list[str]) -> set[str]:
    base = site.base_url(outlet)
    assert all(u.startswith(base) for u in urls)
    return {urlsplit(u).path for u in urls}


def articles_of(outlet: str) -> set[str]:
    return {a["path"] for a in ARTICLES if a["outlet"] == outlet}


def test_gridledger_feed_and_news_sitemap(site):
    r = fetch(url(site, "gridledger", "/feed.xml"))
    assert r.headers.get_content_type() == "application/rss+xml"
    feed = feedparser.parse(r.body)
    assert not feed.bozo and feed.version == "rss20"
    links = [e.link for e in feed.entries]
    assert any("utm_source=rss" in link for link in links)
    assert all(e.get("published_parsed") for e in feed.entries)
    assert articles_of("gridledger") < paths_of(site, "gridledger", links)

    r = fetch(url(site, "gridledger", "/news-sitemap.xml"))
    assert r.headers.get_content_type() == "application/xml"
    root = ElementTree.fromstring(r.body)
    locs = [u.findtext(f"{SM}loc") for u in root.iter(f"{SM}url")]
    assert paths_of(site, "gridledger", locs) == articles_of("gridledger")
    dates = [u.findtext(f"{NEWS}news/{NEWS}publication_date") for u in root.iter(f"{SM}url")]
    assert all(dates)


def test_computeweekly_atom_sitemap_index_and_gzip(site):
    r = fetch(url(site, "computeweekly", "/atom.xml"))
    assert r.headers.get_content_type() == "application/atom+xml"
    feed = feedparser.parse(r.body)
    assert not feed.bozo and feed.version == "atom10"
    assert paths_of(site, "computeweekly", [e.link for e in feed.entries]) == articles_of(
        "computeweekly"
    )

    broken = feedparser.parse(fetch(url(site, "computeweekly", "/broken-feed.xml")).body)
    assert broken.bozo == 1

    index = ElementTree.fromstring(fetch(url(site, "computeweekly", "/sitemap_index.xml")).body)
    assert index.tag == f"{SM}sitemapindex"
    sitemap_urls = [s.findtext(f"{SM}loc") for s in index.iter(f"{SM}sitemap")]
    assert len(sitemap_urls) == 2 and sitemap_urls[1].endswith("/sitemaps/2025-10.xml.gz")
    locs: list[str] = []
    for sitemap_url in sitemap_urls:
        r = fetch(sitemap_url)
        assert r.status == 200
        body = r.body
        if sitemap_url.endswith(".gz"):
            assert r.headers.get_content_type() == "application/x-gzip"
            assert body[:2] == b"\x1f\x8b"
            body = gzip.decompress(body)
        locs += [u.findtext(f"{SM}loc") for u in ElementTree.fromstring(body).iter(f"{SM}url")]
    assert paths_of(site, "computeweekly", locs) == articles_of("computeweekly")


def test_courrier_sitemap(site):
    root = ElementTree.fromstring(fetch(url(site, "courrier", "/sitemap.xml")).body)
    urls = list(root.iter(f"{SM}url"))
    assert all(u.findtext(f"{SM}lastmod") for u in urls)
    locs = [u.findtext(f"{SM}loc") for u in urls]
    assert paths_of(site, "courrier", locs) == articles_of("courrier")
    assert fetch(url(site, "courrier", "/feed.xml")).status == 404


def test_infraeuropa_is_discovered_by_links_only(site):
    for path in ("/sitemap.xml", "/feed.xml", "/atom.xml"):
        assert fetch(url(site, "infraeuropa", path)).status == 404
    found: set[str] = set()
    for lang in ("de", "es"):
        page = f"/{lang}/"
        pages = 0
        while page:
            html = fetch(url(site, "infraeuropa", page)).text
            pages += 1
            found |= {p for p in articles_of("infraeuropa") if f'href="{p}"' in html}
            nxt = html.split('rel="next" href="')[1:]
            page = nxt[0].split('"')[0] if nxt else ""
        assert pages >= 2
    assert found == articles_of("infraeuropa")
    html = fetch(url(site, "infraeuropa", "/de/")).text
    assert "https://www.bundesnetzagentur.de/" in html
    assert f'href="http://localhost:{site.port("infraeuropa")}/de/' in html
    r = fetch(url(site, "infraeuropa", "/de"))
    assert r.status == 301 and r.headers["Location"] == "/de/"


# -- server behaviour -------------------------------------------------------------------------


def test_robots_and_private_pages(site):
    for outlet in site.outlets:
        r = fetch(url(site, outlet, "/robots.txt"))
        assert r.status == 200 and r.headers.get_content_type() == "text/plain"
        assert "Disallow: /private/" in r.text
    private = [s for s in SPECIALS if s["kind"] == "robots-disallowed"]
    assert {s["outlet"] for s in private} == set(site.outlets)
    for s in private:
        assert fetch(url(site, s["outlet"], s["path"])).status == 200


def test_conditional_requests(site):
    first_article = next(a for a in ARTICLES if a["outlet"] == "gridledger")
    target = url(site, "gridledger", first_article["path"])
    first = fetch(target)
    etag, lastmod = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag and lastmod
    assert fetch(target, {"If-None-Match": etag}).status == 304
    assert fetch(target, {"If-None-Match": '"other"'}).status == 200
    assert fetch(target, {"If-Modified-Since": lastmod}).status == 304
    assert fetch(target, {"If-Modified-Since": "Mon, 01 Sep 2025 00:00:00 GMT"}).status == 200
    gz = url(site, "computeweekly", "/sitemaps/2025-10.xml.gz")
    assert fetch(gz, {"If-None-Match": fetch(gz).headers["ETag"]}).status == 304


def test_every_file_is_served_with_placeholders_substituted(site):
    for outlet in site.outlets:
        for file in sorted((SITE_DIR / outlet).rglob("*")):
            rel = file.relative_to(SITE_DIR / outlet).as_posix()
            if not file.is_file() or rel.startswith("_"):
                continue
            r = fetch(url(site, outlet, "/" + rel))
            assert r.status == 200, rel
            assert r.headers["ETag"] and r.headers["Last-Modified"]
            assert b"{{" not in r.body, rel
        assert fetch(url(site, outlet, "/_routes.toml")).status == 404


def test_bad_inputs(site):
    kinds = {s["kind"]: s for s in SPECIALS}
    gl = "gridledger"
    assert fetch(url(site, gl, kinds["not-found"]["path"])).status == 404
    assert fetch(url(site, gl, kinds["server-error"]["path"])).status == 500
    pdf = fetch(url(site, gl, kinds["pdf"]["path"]))
    assert pdf.headers.get_content_type() == "application/pdf" and pdf.body[:5] == b"%PDF-"
    huge = fetch(url(site, gl, kinds["huge"]["path"]))
    assert huge.status == 200 and len(huge.body) > 5_500_000
    empty = fetch(url(site, gl, kinds["no-article-text"]["path"])).text
    doc = trafilatura.bare_extraction(empty, with_metadata=True)
    assert doc is None or len(doc.text or "") < 100
    feed = fetch(url(site, gl, "/feed.xml")).text
    for kind in ("not-found", "server-error", "pdf", "no-article-text", "huge"):
        assert kinds[kind]["path"] in feed
    latin = fetch(url(site, "courrier", kinds["latin-1"]["path"]))
    assert latin.headers.get_content_charset() == "iso-8859-1"
    with pytest.raises(UnicodeDecodeError):
        latin.body.decode("utf-8")
    assert "é" in latin.body.decode("iso-8859-1")


def test_dead_url_refuses_connections(site):
    parts = urlsplit(site.dead_url())
    with pytest.raises(OSError), socket.create_connection((parts.hostname, parts.port), 1):
        pass


def test_sources_toml(site):
    text = sources_toml(site, with_dead_source=True)
    data = tomllib.loads(text)
    names = [s["name"] for s in data["source"]]
    assert names == ["gridledger", "computeweekly", "courrier", "infraeuropa", "deadwire"]
    assert data["crawl"]["download_delay"] == 0.0
    assert data["source"][-1]["feeds"] == [site.dead_url() + "/feed.xml"]
    ie = data["source"][3]
    for a in ARTICLES:
        if a["outlet"] == "infraeuropa":
            assert any(re.search(p, url(site, "infraeuropa", a["path"])) for p in ie["articles"])
    assert not any(re.search(p, url(site, "infraeuropa", "/de/?page=2")) for p in ie["articles"])
    assert "deadwire" not in sources_toml(site)
    try:
        from gigawatch.sources import parse_sources
    except ImportError:
        return
    assert [s.name for s in parse_sources(text).sources] == names


def test_requests_are_logged_quietly(site, capfd):
    before = len(site.requests)
    fetch(url(site, "courrier", "/?x=1"))
    assert site.requests[before:] == [("courrier", "/?x=1")]
    assert site.request_log[-1].status == 200
    assert capfd.readouterr().err == ""


def test_any_site_directory_can_be_served(tmp_path):
    (tmp_path / "toy" / "sub").mkdir(parents=True)
    (tmp_path / "toy" / "index.html").write_text("<a href='{{base}}/sub/'>{{base:toy}}</a>")
    (tmp_path / "toy" / "sub" / "index.html").write_text("sub")
    with DemoSite(root=tmp_path) as toy:
        assert toy.outlets == ["toy"]
        base = toy.base_url("toy")
        assert fetch(base + "/").text == f"<a href='{base}/sub/'>{base}</a>"
        assert fetch(base + "/sub").status == 301
        assert fetch(base + "/sub/").text == "sub"
    with pytest.raises(OSError):
        fetch(base + "/")
