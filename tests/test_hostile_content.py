"""The hostile web, content half: pages that lie about their charset, are dated in the future,
are only navigation, nest 5,000 divs, are cut mid-tag, repeat their title, are written in
Japanese or Russian, carry markup-like titles or binary garbage.

Unit tests run ``gigawatch.extract`` with the real trafilatura; the end-to-end tests serve every
page on 127.0.0.1 with ``tests.sitekit.FixtureSite``, run the real ingest flow twice (a real
Scrapy crawl, a real DuckDB file) and read the ``pages`` and ``articles`` views.
"""

from __future__ import annotations

import html as htmllib
import json
import random
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from gigawatch.extract import (
    MAX_NESTING,
    body_encoding,
    decode_body,
    extract_page,
    flatten_nesting,
    future_date_note,
    prose_chars,
)
from gigawatch.extract import _published as published
from tests.sitekit import FixtureSite, Page
from warehouse import db as wh

# -- the fixture pages ------------------------------------------------------------------------

FR_PARAS = [
    "Le consortium a confirmé lundi que les données de ses clients européens seraient "
    "hébergées dans un nouveau campus de 300 mégawatts, près de Lyon, raccordé au réseau de "
    "transport d'électricité à partir de l'été 2027.",
    "Selon la direction, le premier bâtiment accueillera des baies refroidies par liquide "
    "conçues pour les accélérateurs de dernière génération ; les suivants ouvriront par "
    "tranches de cinquante mégawatts, au rythme des raccordements.",
    "Les élus locaux ont salué les emplois annoncés mais réclament des garanties sur la "
    "consommation d'eau et sur la réutilisation de la chaleur fatale pour le réseau urbain.",
]
FR_TITLE = "Les données restent en France : un campus de 300 MW près de Lyon"

EN_PARAS = [
    "The operator said on Tuesday that it had signed a long-term power purchase agreement "
    "for 1.5 gigawatts with a regional utility, enough to run the first three halls of its "
    "planned campus at full load.",
    "Construction of the substation is due to start in the spring, and the company expects "
    "the first racks of accelerators to be energised about eighteen months later, subject to "
    "the usual grid connection studies.",
    "Analysts noted that the contract price was not disclosed, but said deals of this size "
    "had recently been priced well above wholesale averages because of the firm supply.",
]

FUTURE_PARAS = [
    "A hyperscale developer said it would open a 900-megawatt campus in northern Sweden, "
    "powered by hydroelectric contracts, and that the first phase would host training clusters "
    "for several AI laboratories.",
    "The company expects to spend about $12 billion on the site over six years, including a "
    "dedicated substation and a heat-recovery link to the municipal district heating network.",
    "Local officials said the planning application had been filed and that public hearings on "
    "the transmission corridor would be held before the end of the consultation period.",
]

JA_TITLE = "国内最大級のAIデータセンター、北海道で着工へ"
JA_PARAS = [
    "大手通信会社は十五日、北海道石狩市に出力三百メガワット規模の人工知能向けデータセンター"
    "を建設すると発表した。再生可能エネルギーを中心に電力を調達し、二〇二七年度の稼働開始を"
    "目指すという。",
    "同社によると、最新の画像処理半導体を数万基規模で導入する計画で、総事業費は数千億円に"
    "上る見通しだ。冷却には寒冷な外気と液冷方式を組み合わせ、消費電力の削減を図る。",
    "地元自治体は雇用の創出や関連産業の集積に期待を寄せる一方、送電網の増強には時間がかかる"
    "として、電力会社との調整を急ぐ考えを示した。",
]

RU_TITLE = "В Подмосковье построят дата-центр для искусственного интеллекта на 200 МВт"
RU_PARAS = [
    "Крупный оператор облачных услуг объявил в среду о строительстве нового центра обработки "
    "данных мощностью двести мегаватт. Первая очередь объекта должна заработать в конце "
    "следующего года.",
    "По словам представителей компании, в здании разместят серверы с графическими "
    "ускорителями для обучения больших языковых моделей, а для охлаждения применят "
    "жидкостные системы.",
    "Энергетики предупреждают, что спрос на электроэнергию со стороны дата-центров растёт "
    "быстрее, чем вводятся новые линии электропередачи, и просят заранее согласовывать "
    "графики нагрузки.",
]

MARKUP_TITLE = "Rack vendor ships [/b] :x: <img src=x onerror=alert(1)> liquid-cooled trays"


def article(
    title: str,
    paras: list[str],
    *,
    lang: str = "en",
    charset: str | None = "utf-8",
    date: str | None = "2025-10-07T09:30:00+00:00",
    head: str = "",
    body_extra: str = "",
) -> str:
    """An article page: JSON-LD date, a menu, the article, a footer. ``title`` is text."""
    meta: dict[str, Any] = {"@context": "https://schema.org", "@type": "NewsArticle",
                            "headline": title}  # fmt: skip
    if date is not None:
        meta["datePublished"] = date
    charset_tag = f'<meta charset="{charset}">' if charset else ""
    paragraphs = "".join(f"<p>{htmllib.escape(p, quote=False)}</p>" for p in paras)
    t = htmllib.escape(title, quote=False)
    return (
        f'<!doctype html><html lang="{lang}"><head>{charset_tag}<title>{t}</title>{head}'
        f'<script type="application/ld+json">{json.dumps(meta)}</script></head><body>'
        '<nav><a href="/">Home</a> <a href="/about">About</a></nav>'
        f"<article><h1>{t}</h1>{body_extra}{paragraphs}</article>"
        "<footer>Hostile Wire, 1 Example Street.</footer></body></html>"
    )


def _invalid_utf8() -> bytes:
    page = article(FR_TITLE, [p + " BADBYTES" for p in FR_PARAS], lang="fr").encode("utf-8")
    return page.replace(b"BADBYTES", b"\xff\xfe \xc3\x28 \x80", 3)


def _navigation() -> str:
    sections = ["Data centres", "Power", "Chips", "Policy", "Deals", "Opinion", "Events"]
    menu = "".join(f'<li><a href="/section/{i}">{s}</a></li>' for i, s in enumerate(sections))
    latest = "".join(
        f'<li><a href="/news/2025/10/0{1 + i % 9}/item-{i}">Operator {i} expands its campus '
        f"with another hall of accelerators</a></li>"
        for i in range(30)
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>All sections'
        f"</title></head><body><header><ul>{menu}</ul></header><main><h2>Latest</h2>"
        f"<ul>{latest}</ul><div class=\"more\"><a href='/page/2'>Older stories</a> | "
        "<a href='/page/3'>Even older stories</a></div></main><footer><ul>"
        f"{menu}</ul></footer></body></html>"
    )


def _deeply_nested() -> str:
    inner = "".join(f"<p>{p}</p>" for p in EN_PARAS)
    title = "Operator secures 1.5 GW of firm power for its campus"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body>"
        + "<div>" * 5000
        + f"<h1>{title}</h1>{inner}"
        + "</div>" * 5000
        + "</body></html>"
    )


def _cut_mid_tag() -> bytes:
    page = article("Substation work starts for a 1.5 GW campus", EN_PARAS).encode("utf-8")
    cut = page.index(b"</p>", page.index(EN_PARAS[1][:30].encode())) + len(b"</p>")
    return page[:cut] + b'<p class="lead">Analysts noted that <a href="https://exa'


def _duplicate_title() -> str:
    title = "Grid operator approves two new lines for data-centre demand"
    page = article(title, EN_PARAS)
    return page.replace("</title>", f"</title><title>{title}</title>", 1)


GARBAGE_PARAS = [
    *EN_PARAS,
    "The order covers several thousand accelerator boards to be delivered over two years, and "
    "the buyer said it had an option to double the volume if its own customers signed on.",
]


def _garbage() -> bytes:
    page = article("Chip maker books a record order for accelerators", GARBAGE_PARAS).encode()
    garbage = random.Random(10).randbytes(4000)
    at = page.index(GARBAGE_PARAS[3][:20].encode()) - len(b"<p>")  # past the first KB: the spider
    assert at > 1024  # refuses a body with NUL bytes at its top as not_html (binary data)
    return page[:at] + b"<p>" + garbage + b"</p>" + page[at:]


# path -> (body, Content-Type); every path is an article page listed in the feed
PAGES: dict[str, tuple[bytes, str]] = {
    "/news/utf8-header-cp1252-bytes": (
        article(FR_TITLE, FR_PARAS, lang="fr", charset=None).encode("cp1252"),
        "text/html; charset=utf-8",
    ),
    "/news/utf8-meta-cp1252-bytes": (
        article(FR_TITLE, FR_PARAS, lang="fr", charset="utf-8").encode("cp1252"),
        "text/html",
    ),
    "/news/cp1252-meta-utf8-bytes": (
        article(FR_TITLE, FR_PARAS, lang="fr", charset="windows-1252").encode("utf-8"),
        "text/html",
    ),
    "/news/cp1252-header-utf8-bytes": (
        article(FR_TITLE, FR_PARAS, lang="fr", charset=None).encode("utf-8"),
        "text/html; charset=windows-1252",
    ),
    "/news/invalid-utf8-bytes": (_invalid_utf8(), "text/html; charset=utf-8"),
    "/news/utf8-header-cp1251-bytes": (
        article(RU_TITLE, RU_PARAS, lang="ru", charset=None).encode("cp1251"),
        "text/html; charset=utf-8",
    ),
    "/news/future-date": (
        article(
            "Developer plans a 900 MW campus in Sweden",
            FUTURE_PARAS,
            date="2031-03-14T09:00:00+00:00",
        )
        .replace(
            "<head>",
            '<head><meta property="article:published_time" content="2031-03-14T09:00:00Z">',
        )
        .encode(),
        "text/html; charset=utf-8",
    ),  # fmt: skip
    "/news/unparseable-date": (
        article("Utility files plans for a new substation", EN_PARAS, date="sometime soon")
        .replace(
            "<head>", '<head><meta property="article:published_time" content="32/13/2025 25:61">'
        )
        .encode(),
        "text/html; charset=utf-8",
    ),  # fmt: skip
    "/news/missing-date": (
        article("Cooling supplier raises new funds", EN_PARAS, date=None).encode(),
        "text/html; charset=utf-8",
    ),
    "/news/navigation-only": (_navigation().encode(), "text/html; charset=utf-8"),
    "/news/deeply-nested": (_deeply_nested().encode(), "text/html; charset=utf-8"),
    "/news/cut-mid-tag": (_cut_mid_tag(), "text/html; charset=utf-8"),
    "/news/duplicate-title": (_duplicate_title().encode(), "text/html; charset=utf-8"),
    "/news/japanese": (article(JA_TITLE, JA_PARAS, lang="ja").encode(), "text/html; charset=utf-8"),
    "/news/russian": (article(RU_TITLE, RU_PARAS, lang="ru").encode(), "text/html; charset=utf-8"),
    "/news/markup-title": (
        article(
            MARKUP_TITLE,
            EN_PARAS,
            body_extra="<p>Raw markup: <b>bold</b> <img src=x onerror=alert(2)>"
            "<script>alert(3)</script> and [b]bbcode[/b] stay out.</p>",
        ).encode(),
        "text/html; charset=utf-8",
    ),  # fmt: skip
    "/news/binary-garbage": (_garbage(), "text/html; charset=utf-8"),
}
# feed dates, where the feed gives one (the future article is listed as future too)
LISTED = {"/news/future-date": datetime(2031, 3, 14, 9, 0, tzinfo=UTC)}
DEFAULT_LISTED = datetime(2025, 10, 7, 9, 30, tzinfo=UTC)
UNDATED = {"/news/unparseable-date", "/news/missing-date"}


def _feed(base: str) -> bytes:
    items = []
    for path in PAGES:
        when = "" if path in UNDATED else (
            f"<pubDate>{format_datetime(LISTED.get(path, DEFAULT_LISTED), usegmt=True)}</pubDate>"
        )  # fmt: skip
        items.append(f"<item><title>{path}</title><link>{base}{path}</link>{when}</item>")
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title>'
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def _extract(path: str):  # type: ignore[no-untyped-def]
    body, ctype = PAGES[path]
    declared = ctype.split("charset=")[1] if "charset=" in ctype else None
    return extract_page("x", body, declared, f"http://127.0.0.1:1{path}")


# -- unit tests on gigawatch.extract ----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "declared", "want"),
    [
        ("données".encode("cp1252"), "utf-8", "cp1252"),
        ("données".encode("cp1252"), None, "cp1252"),
        ("données".encode(), "cp1252", "utf-8"),
        ("données".encode(), "iso-8859-1", "utf-8"),
        ("Пример".encode("cp1251"), "windows-1251", "cp1251"),
        ("données \xff".encode() + b"\xff", "utf-8", "utf-8"),
        ("\ufeffdonnées".encode("utf-16-le"), "utf-8", "utf-16-le"),
        (b"plain ascii", "no-such-charset", "utf-8"),
        (article(RU_TITLE, RU_PARAS).encode("cp1251"), "utf-8", "cp1251"),
        (article(JA_TITLE, JA_PARAS).encode("shift_jis"), "utf-8", "cp932"),
        ("Le café est prêt, dit-il.".encode("cp1252"), "utf-8", "cp1252"),
        (b'<meta charset="koi8-r">' + "Пример".encode("koi8-r"), "utf-8", "koi8-r"),
    ],
)
def test_body_encoding_trusts_the_bytes_over_the_declaration(body, declared, want):
    assert body_encoding(body, declared) == want


def test_decode_body_never_raises_and_drops_binary_runs():
    garbage = random.Random(1).randbytes(2000)
    text = decode_body(b"<p>avant</p>" + garbage + "<p>données</p>".encode(), "utf-8")
    assert text.startswith("<p>avant</p>") and text.endswith("<p>données</p>")
    assert not any(ord(c) < 32 and c not in "\t\n\r" for c in text)
    assert decode_body(b"\x00\x01\x02", "utf-16") is not None


def test_flatten_nesting_keeps_content_and_bounds_depth():
    deep = "<div>" * 5000 + "<p>inside</p>" + "</div>" * 5000
    flat = flatten_nesting(deep)
    assert flat.count("<div>") == MAX_NESTING and flat.count("</div>") == MAX_NESTING
    assert "<p>inside</p>" in flat
    shallow = "<div><span>a</span></div>" * 10
    assert flatten_nesting(shallow) == shallow
    t = time.monotonic()
    flatten_nesting("<div><span>" * 50_000 + "x" + "</span></div>" * 50_000)
    assert time.monotonic() - t < 2.0


def test_future_dates_are_not_publication_dates():
    now = datetime(2025, 10, 7, 12, 0, tzinfo=UTC)
    assert published("2031-03-14T09:00:00", None, now) is None
    assert published(None, "2031-03-14T09:00:00+00:00", now) is None
    assert published("2025-10-08T09:00:00", None, now) is not None  # within a day: time zones
    assert published("2025-10-06T09:00:00", None, now) == datetime(2025, 10, 6, 9, tzinfo=UTC)
    assert published("not a date", "either", now) is None
    assert published(None, None, now) is None
    note = future_date_note("2031-03-14T09:00:00", None, now)
    assert note == "publication date 2031-03-14 is in the future: published_at left NULL"
    assert future_date_note("2025-10-06T09:00:00", None, now) is None


def test_prose_chars_counts_text_outside_links():
    links = {"Home", "About", "Operator 1 expands its campus"}
    assert prose_chars("Home | About\n- Operator 1 expands its campus", links) == 0
    assert prose_chars("Home\nA sentence of real text.", links) == len("A sentence of real text.")


@pytest.mark.parametrize("path", [p for p in PAGES if "cp1252" in p or "invalid" in p])
def test_unit_charset_lies_decode_to_donnees(path):
    got = _extract(path)
    assert got.ok, got.error
    assert "données" in got.text and "Ã" not in got.text
    assert ("\ufffd" in got.text) == ("invalid" in path)  # only the invalid bytes are replaced
    assert got.title == FR_TITLE


def test_unit_navigation_page_is_no_content():
    got = _extract("/news/navigation-only")
    assert not got.ok and "no article text" in got.error and "links" in got.error
    xhtml = b'<?xml version="1.0" encoding="utf-8"?>' + PAGES["/news/navigation-only"][0]
    got = extract_page("x", xhtml, "utf-8", "http://127.0.0.1:1/news/xhtml")
    assert not got.ok and "links" in got.error


def test_unit_deep_nesting_keeps_the_paragraphs():
    t = time.monotonic()
    got = _extract("/news/deeply-nested")
    assert time.monotonic() - t < 10
    assert got.ok, got.error
    assert all(p in got.text for p in EN_PARAS)


@pytest.mark.parametrize("tag", ["div", "span", "section", "blockquote", "b", "em", "font"])
def test_unit_deep_nesting_of_any_container_keeps_the_paragraphs(tag):
    inner = "".join(f"<p>{p}</p>" for p in EN_PARAS)
    page = f"<html><head><title>Deep</title></head><body>{f'<{tag}>' * 5000}{inner}"
    page += f"{f'</{tag}>' * 5000}</body></html>"
    got = extract_page("x", page.encode(), "utf-8", "http://127.0.0.1:1/news/deep")
    assert got.ok, got.error
    assert all(p in got.text for p in EN_PARAS)


def test_unit_markup_like_title_is_text():
    got = _extract("/news/markup-title")
    assert got.ok and got.title == MARKUP_TITLE
    raw = article("Raw <img src=x onerror=alert(1)> in the title [/b]", EN_PARAS)
    raw = raw.replace("&lt;", "<").replace("&gt;", ">")
    got = extract_page("x", raw.encode(), "utf-8", "http://127.0.0.1:1/news/raw")
    assert got.ok and "<img" not in got.title and "[/b]" in got.title


# -- end to end: one crawl of every page, twice ------------------------------------------------


@pytest.fixture(scope="module")
def crawled(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from flows.ingest import ingest

    tmp = tmp_path_factory.mktemp("hostile")
    with FixtureSite() as site:
        for path, (body, ctype) in PAGES.items():
            site.pages[path] = Page(body, ctype)
        site.pages["/feed.xml"] = Page(_feed(site.base), "application/rss+xml")
        site.pages["/robots.txt"] = Page(b"User-agent: *\n", "text/plain")
        sources = tmp / "sources.toml"
        sources.write_text(site.sources(name="hostile", sitemaps=False), encoding="utf-8")
        db = tmp / "hostile.duckdb"
        first = ingest(sources=str(sources), db=str(db))
        con = wh.connect(db, read_only=True)
        try:
            after_first = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        finally:
            con.close()
        second = ingest(sources=str(sources), db=str(db))
    con = wh.connect(db, read_only=True)
    try:
        cur = con.execute("SELECT url, title, published_at, language, text FROM articles")
        cols = [d[0] for d in cur.description]
        articles = {urlsplit(r[0]).path: dict(zip(cols, r, strict=True)) for r in cur.fetchall()}
        pages = con.execute(
            "SELECT url, outcome, error FROM pages WHERE kind = 'article' ORDER BY fetched_at"
        ).fetchall()
        total = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        con.close()
    return {"first": first, "second": second, "articles": articles, "pages": pages,
            "after_first": after_first, "total": total, "db": Path(db)}  # fmt: skip


def _stored(crawled: dict[str, Any], path: str) -> dict[str, Any]:
    assert path in crawled["articles"], f"{path} not stored: {_outcomes(crawled, path)}"
    return crawled["articles"][path]


def _outcomes(crawled: dict[str, Any], path: str) -> list[tuple[str, str | None]]:
    return [(o, e) for u, o, e in crawled["pages"] if urlsplit(u).path == path]


def _assert_donnees(row: dict[str, Any]) -> None:
    assert row["title"] == FR_TITLE
    assert "données" in row["text"] and "hébergées" in row["text"]
    assert "\ufffd" not in row["text"] and "Ã" not in row["text"]
    assert row["language"] == "fr"


def test_utf8_declared_in_header_but_cp1252_sent_reads_correctly(crawled):
    _assert_donnees(_stored(crawled, "/news/utf8-header-cp1252-bytes"))


def test_utf8_declared_in_meta_but_cp1252_sent_reads_correctly(crawled):
    _assert_donnees(_stored(crawled, "/news/utf8-meta-cp1252-bytes"))


def test_cp1252_declared_in_meta_but_utf8_sent_reads_correctly(crawled):
    _assert_donnees(_stored(crawled, "/news/cp1252-meta-utf8-bytes"))


def test_cp1252_declared_in_header_but_utf8_sent_reads_correctly(crawled):
    _assert_donnees(_stored(crawled, "/news/cp1252-header-utf8-bytes"))


def test_invalid_utf8_bytes_are_replaced_and_the_rest_reads_correctly(crawled):
    row = _stored(crawled, "/news/invalid-utf8-bytes")
    assert row["title"] == FR_TITLE
    assert all(f"{p} \ufffd\ufffd \ufffd( \ufffd" in row["text"] for p in FR_PARAS)
    assert "Ã" not in row["text"]


def test_utf8_declared_but_cp1251_russian_sent_reads_correctly(crawled):
    row = _stored(crawled, "/news/utf8-header-cp1251-bytes")
    assert row["title"] == RU_TITLE and row["language"] == "ru"
    assert all(p in row["text"] for p in RU_PARAS)


def test_future_date_is_stored_as_null(crawled):
    row = _stored(crawled, "/news/future-date")
    assert row["published_at"] is None
    outcomes = _outcomes(crawled, "/news/future-date")
    assert outcomes[0][0] == "stored"  # the article is kept, its date is not; pages says why
    assert "publication date 2031-03-14 is in the future" in outcomes[0][1]
    con = wh.connect(crawled["db"], read_only=True)
    try:
        future = con.execute(
            "SELECT count(*) FROM articles WHERE published_at > now() + INTERVAL 1 DAY"
        ).fetchone()[0]
        # trends count an undated article on the day it was fetched, never in 2031
        days = con.execute(
            "SELECT t.day FROM trend_articles t JOIN articles a USING (article_id) "
            "WHERE a.url LIKE '%/news/future-date'"
        ).fetchall()
        trend_future = con.execute(
            "SELECT count(*) FROM trend_articles WHERE day > current_date + 1"
        ).fetchone()[0]
    finally:
        con.close()
    assert future == 0 and trend_future == 0
    assert len(days) == 1 and days[0][0] <= datetime.now(UTC).date()


@pytest.mark.parametrize("path", ["/news/unparseable-date", "/news/missing-date"])
def test_unparseable_or_missing_date_is_null(crawled, path):
    assert _stored(crawled, path)["published_at"] is None


def test_dated_pages_keep_their_date(crawled):
    row = _stored(crawled, "/news/russian")
    assert row["published_at"] == DEFAULT_LISTED


def test_navigation_only_page_is_refused_as_no_content(crawled):
    assert "/news/navigation-only" not in crawled["articles"]
    outcomes = _outcomes(crawled, "/news/navigation-only")
    assert outcomes and all(o == "no_content" for o, _ in outcomes)
    assert all("no article text" in e and "links" in e for _, e in outcomes)


def test_five_thousand_nested_divs_keep_the_article_text(crawled):
    row = _stored(crawled, "/news/deeply-nested")
    assert all(p in row["text"] for p in EN_PARAS)
    assert row["title"] == "Operator secures 1.5 GW of firm power for its campus"


def test_html_cut_mid_tag_keeps_the_text_before_the_cut(crawled):
    row = _stored(crawled, "/news/cut-mid-tag")
    assert EN_PARAS[0] in row["text"] and EN_PARAS[1] in row["text"]
    assert "<" not in row["text"]


def test_duplicated_title_gives_one_title(crawled):
    row = _stored(crawled, "/news/duplicate-title")
    assert row["title"] == "Grid operator approves two new lines for data-centre demand"


def test_japanese_article_is_stored_as_ja(crawled):
    row = _stored(crawled, "/news/japanese")
    assert row["title"] == JA_TITLE and row["language"] == "ja"
    assert all(p in row["text"] for p in JA_PARAS)


def test_russian_article_is_stored_as_ru(crawled):
    row = _stored(crawled, "/news/russian")
    assert row["title"] == RU_TITLE and row["language"] == "ru"
    assert all(p in row["text"] for p in RU_PARAS)


def test_markup_like_title_is_stored_as_literal_text(crawled):
    row = _stored(crawled, "/news/markup-title")
    assert row["title"] == MARKUP_TITLE  # the escaped tag is text; [/b] and :x: kept literally
    assert "[b]bbcode[/b]" in row["text"] and "bold" in row["text"]
    assert "alert(2)" not in row["text"] and "alert(3)" not in row["text"]
    assert "<b>" not in row["text"] and "<script" not in row["text"]


def test_binary_garbage_does_not_crash_and_the_text_survives(crawled):
    row = _stored(crawled, "/news/binary-garbage")
    assert all(p in row["text"] for p in GARBAGE_PARAS)
    assert not any(ord(c) < 32 and c not in "\t\n\r" for c in row["text"])
    assert row["text"].count("\ufffd") < 5


def test_no_page_crashes_the_run_and_every_page_has_an_outcome(crawled):
    for path in PAGES:
        outcomes = {o for o, _ in _outcomes(crawled, path)}
        assert outcomes, path
        assert outcomes <= {"stored", "known", "no_content"}, (path, outcomes)
    notes = {urlsplit(u).path for u, o, e in crawled["pages"] if o in ("stored", "known") and e}
    assert notes == {"/news/future-date"}  # no other stored page carries a note
    assert crawled["first"]["status"] in ("completed", "partial")


def test_second_identical_run_adds_no_article(crawled):
    assert crawled["after_first"] == len(PAGES) - 1  # all but the navigation page
    assert crawled["second"]["articles_new"] == 0
    assert crawled["total"] == crawled["after_first"]
