"""Backfills from CC-NEWS: WARC files written here with warcio, laid out as Common Crawl
publishes them, served over HTTP on 127.0.0.1 and read from a folder, through the real
backfill flow (Prefect, DuckDB file)."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import zlib
from collections.abc import Iterator
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from gigawatch import ccnews
from gigawatch.sources import SourcesError, load_sources, parse_sources
from tests.sitekit import serve

pytestmark = pytest.mark.e2e

SINCE, UNTIL = date(2025, 10, 1), date(2025, 10, 31)
MONTH = "crawl-data/CC-NEWS/2025/10"


def article(title: str, published: str, paras: list[str], site: str) -> str:
    """A news page as outlets publish them: JSON-LD date, navigation, the article, a footer."""
    meta = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
            "datePublished": published,
            "author": {"@type": "Person", "name": "Dana Reyes"}}  # fmt: skip
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<script type="application/ld+json">{json.dumps(meta)}</script></head><body>'
        f'<nav><a href="/">{site}</a> <a href="/deals">Deals</a> <a href="/power">Power</a></nav>'
        f"<article><h1>{title}</h1>{body}</article>"
        f"<footer>{site}, 12 Quay Street. Newsroom +1 555 0142.</footer></body></html>"
    )


BROADCOM = article(
    "OpenAI and Broadcom to deploy 10 gigawatts of custom AI accelerators",
    "2025-10-13T14:05:00+00:00",
    [
        "OpenAI and Broadcom said on Monday that they will deploy 10 gigawatts of custom AI "
        "accelerators designed by OpenAI, with racks built around Broadcom's Ethernet "
        "networking. The first systems are due in the second half of 2026.",
        "The companies expect to complete the roll-out across OpenAI's own facilities and "
        "partner data centres by the end of 2029. Financial terms were not disclosed.",
        "OpenAI said that designing its own chips lets it build what it has learnt from "
        "frontier models directly into the hardware, and the deal adds to the capacity it has "
        "already agreed with other chip suppliers this year.",
    ],
    "Grid Wire",
)
BROADCOM_COPY = article(
    "Broadcom wins OpenAI order for 10 GW of in-house accelerators",
    "2025-10-13T16:40:00+00:00",
    [
        "Broadcom will build and deploy 10 gigawatts of accelerators that OpenAI designed "
        "itself, the two companies announced on Monday, with Broadcom's Ethernet networking "
        "linking the racks from the second half of 2026.",
        "Shares of Broadcom rose after the announcement. The roll-out is to be finished by "
        "the end of 2029, in OpenAI's facilities and those of partners; the price was not "
        "given.",
        "Analysts said the agreement shows how the largest model developers are moving to "
        "custom silicon to lower the cost of each unit of compute they buy.",
    ],
    "Chip Letter",
)
AMD = article(
    "AMD to supply OpenAI with 6 gigawatts of Instinct GPUs",
    "2025-10-06T12:30:00+00:00",
    [
        "AMD and OpenAI announced on Monday a multi-year agreement under which OpenAI will "
        "deploy 6 gigawatts of AMD Instinct GPUs, starting with a first gigawatt of MI450 "
        "chips in the second half of 2026.",
        "As part of the deal AMD issued OpenAI a warrant for up to 160 million shares of AMD "
        "common stock, vesting as deployment milestones are reached.",
        "The companies said the partnership makes AMD a core strategic compute partner of "
        "OpenAI, alongside the systems it already runs on other suppliers' hardware.",
    ],
    "Chip Letter",
)
NVIDIA_SEPTEMBER = article(
    "Nvidia and OpenAI sign letter of intent for 10 gigawatts of systems",
    "2025-09-22T15:00:00+00:00",
    [
        "Nvidia and OpenAI signed a letter of intent to deploy at least 10 gigawatts of "
        "Nvidia systems for OpenAI's next generation of AI infrastructure, the companies "
        "said on Monday.",
        "Nvidia intends to invest up to $100 billion in OpenAI progressively as each "
        "gigawatt is deployed; the first gigawatt is due in the second half of 2026 on the "
        "Vera Rubin platform.",
        "The two companies said they would finalise the details of the partnership in the "
        "coming weeks.",
    ],
    "Grid Wire",
)
META_OTHER_HOST = article(
    "Meta lines up $27 billion financing for its Hyperion campus in Louisiana",
    "2025-10-17T10:00:00+00:00",
    [
        "Meta has agreed a financing package of about $27 billion with Blue Owl Capital for "
        "the Hyperion data centre campus in Richland Parish, Louisiana, in a joint venture "
        "that leaves Blue Owl with most of the equity.",
        "The campus is planned to grow to several gigawatts of capacity over the next years "
        "and is among the largest data centre projects in the United States.",
        "The deal keeps most of the debt off Meta's balance sheet, analysts said.",
    ],
    "Other News",
)
ANTHROPIC_EARLY = article(
    "Anthropic plans $50 billion of US data centres with Fluidstack",
    "2025-09-30T21:00:00+00:00",
    [
        "Anthropic will invest $50 billion in data centres in Texas and New York built with "
        "the neocloud Fluidstack, the company said, with sites coming online through 2026.",
        "The project is expected to create hundreds of permanent jobs and thousands of "
        "construction jobs, according to the company.",
        "Anthropic said the capacity is needed to keep up with demand from businesses using "
        "its Claude models.",
    ],
    "Grid Wire",
)
ORACLE_CUT = article(
    "Oracle and OpenAI add 4.5 gigawatts to Stargate",
    "2025-10-20T09:00:00+00:00",
    [
        "Oracle and OpenAI agreed to develop 4.5 gigawatts of additional Stargate data "
        "centre capacity in the United States, the companies said.",
        "The expansion brings the Stargate programme's planned capacity above 5 gigawatts, "
        "with sites in Texas, New Mexico and the Midwest under study.",
        "Oracle said construction at its Abilene campus is well advanced.",
    ],
    "Grid Wire",
)
XAI_TRUNCATED_OK = article(
    "xAI brings second Colossus site in Memphis online",
    "2025-10-21T09:00:00+00:00",
    [
        "xAI said its second Colossus data centre in Memphis has begun training runs, with "
        "hundreds of thousands of Nvidia GPUs installed in the first halls.",
        "The site draws power from gas turbines and a grid connection that the local utility "
        "is upgrading, a plan that has drawn complaints from residents.",
        "xAI plans to expand the site further next year, the company said.",
    ],
    "Grid Wire",
)

SOURCES = """
[crawl]
download_delay = 0.0

[[source]]
name = "gridwire"
feeds = ["https://www.gridwire.example/feed.xml"]
language = "en"

[[source]]
name = "chipletter"
start_urls = ["https://news.chipletter.example/"]
allowed_domains = ["chipletter.example"]
"""


def _response(writer: WARCWriter, url: str, when: str, body: bytes, *,
              status: str = "200 OK", ctype: str = "text/html; charset=utf-8") -> Any:  # fmt: skip
    headers = StatusAndHeaders(status, [("Content-Type", ctype),
                                        ("Content-Length", str(len(body)))],
                               protocol="HTTP/1.1")  # fmt: skip
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                     http_headers=headers,
                                     warc_headers_dict={"WARC-Date": when})  # fmt: skip


def write_warc(path: Path, records: list[tuple[str, str, bytes, dict[str, str]]]) -> bytes:
    """A gzipped WARC: a warcinfo record, then for each (url, WARC-Date, body, options) a
    request and a response record, as CC-NEWS writes them."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
    for url, when, body, options in records:
        request = StatusAndHeaders(f"GET {url} HTTP/1.1", [("User-Agent", "CCBot/2.0")],
                                   is_http_request=True)  # fmt: skip
        warc_headers = {"WARC-Date": when}
        writer.write_record(writer.create_warc_record(url, "request", http_headers=request,
                                                      warc_headers_dict=warc_headers))  # fmt: skip
        writer.write_record(_response(writer, url, when, body, **options))
    data = buf.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def build_archive(root: Path) -> dict[str, str]:
    """The archive: September's last file (inside the listing margin), two October files,
    a truncated one, one that is not gzip, one listed but missing, and a November file
    outside the window. Returns the names of the bad files."""
    sept = "crawl-data/CC-NEWS/2025/09"
    nov = "crawl-data/CC-NEWS/2025/11"
    html = str.encode
    write_warc(root / sept / "CC-NEWS-20250930200000-00090.warc.gz", [
        ("https://www.gridwire.example/2025/09/30/anthropic-fluidstack", "2025-09-30T23:10:00Z",
         html(ANTHROPIC_EARLY), {}),  # WARC-Date before the window: not read further
    ])  # fmt: skip
    write_warc(root / MONTH / "CC-NEWS-20251006080000-00001.warc.gz", [
        ("https://news.chipletter.example/amd-openai-6gw", "2025-10-06T13:02:11Z", html(AMD), {}),
        ("https://www.othernews.example/meta-hyperion", "2025-10-06T13:05:00Z",
         html(META_OTHER_HOST), {}),  # not a configured source
        ("https://www.gridwire.example/reports/q3.pdf", "2025-10-06T13:06:00Z",
         b"%PDF-1.7 quarterly report", {"ctype": "application/pdf"}),  # not HTML
    ])  # fmt: skip
    write_warc(root / MONTH / "CC-NEWS-20251013150000-00002.warc.gz", [
        ("https://www.gridwire.example/2025/10/13/openai-broadcom-10gw", "2025-10-13T15:20:00Z",
         html(BROADCOM), {}),
        ("https://gridwire.example/2025/09/22/nvidia-openai-loi", "2025-10-13T15:21:00Z",
         html(NVIDIA_SEPTEMBER), {}),  # fetched in the window, published before it
        ("https://www.gridwire.example/old-url", "2025-10-13T15:22:00Z", b"",
         {"status": "301 Moved Permanently"}),  # not 200
        ("https://chipletter.example/broadcom-openai", "2025-10-13T17:01:00Z",
         html(BROADCOM_COPY), {}),
    ])  # fmt: skip
    data = write_warc(root / MONTH / "CC-NEWS-20251021100000-00003.warc.gz", [
        ("https://www.gridwire.example/2025/10/21/xai-colossus-2", "2025-10-21T10:10:00Z",
         html(XAI_TRUNCATED_OK), {}),
        ("https://www.gridwire.example/2025/10/20/oracle-stargate", "2025-10-21T10:11:00Z",
         html(ORACLE_CUT), {}),
    ])  # fmt: skip
    truncated = root / MONTH / "CC-NEWS-20251021100000-00003.warc.gz"
    truncated.write_bytes(data[: len(data) - 700])  # cut inside the last response
    (root / MONTH / "CC-NEWS-20251022100000-00004.warc.gz").write_bytes(
        b"<html><body>403 Forbidden</body></html>\n"
    )  # not gzip (a proxy's error page saved as the file)
    write_warc(root / nov / "CC-NEWS-20251115100000-00100.warc.gz", [
        ("https://www.gridwire.example/2025/11/15/later", "2025-11-15T10:10:00Z",
         html(ORACLE_CUT), {}),
    ])  # fmt: skip
    names = {"truncated": "CC-NEWS-20251021100000-00003.warc.gz",
             "not_gzip": "CC-NEWS-20251022100000-00004.warc.gz",
             "missing": "CC-NEWS-20251023100000-00005.warc.gz"}  # fmt: skip
    for folder in (sept, MONTH, nov):
        paths = sorted(f"{folder}/{p.name}" for p in (root / folder).glob("*.warc.gz"))
        if folder == MONTH:
            paths.append(f"{MONTH}/{names['missing']}")
        (root / folder / "warc.paths.gz").write_bytes(gzip.compress("\n".join(paths).encode()))
    return names


class ArchiveServer:
    """The archive folder over HTTP on 127.0.0.1 (404 for what is not there), logging paths."""

    def __init__(self, root: Path):
        self.root = root
        self.requested: list[str] = []
        self.server = serve(self._answer)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?")[0].lstrip("/")
        self.requested.append(path)
        file = self.root / path
        if not file.is_file():
            handler.send_response(404)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        data = file.read_bytes()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/octet-stream")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("ccnews")
    names = build_archive(root)
    server = ArchiveServer(root)
    sources = root.parent / "sources.toml"
    sources.write_text(SOURCES, encoding="utf-8")
    yield {"root": root, "server": server, "names": names, "sources": sources}
    server.close()


def _backfill(
    archive: dict[str, Any], db: Path, where: str, dask: str | None = None, lake: str | None = None
) -> dict[str, Any]:
    from flows.backfill import backfill

    return backfill(since=SINCE, until=UNTIL, sources=str(archive["sources"]), db=str(db),
                    batch_size=3, origin="cc-news", archive=where, dask=dask,
                    lake=lake)  # fmt: skip


def _warehouse(db: Path) -> dict[str, Any]:
    """What a backfill stored, without run ids and times: articles, tags, stories, pages."""
    from warehouse import db as wh

    con = wh.connect(db, read_only=True)
    try:
        articles = con.execute(
            "SELECT url, source, title, published_at::DATE::VARCHAR, language FROM articles "
            "ORDER BY url").fetchall()  # fmt: skip
        tags = con.execute(
            "SELECT a.url, m.kind, m.name FROM mentions AS m JOIN articles AS a "
            "USING (article_id) ORDER BY ALL").fetchall()  # fmt: skip
        stories = con.execute(
            "SELECT list(a.url ORDER BY a.url) FROM articles AS a GROUP BY a.story_id "
            "ORDER BY 1").fetchall()  # fmt: skip
        facts = con.execute(
            "SELECT a.url, f.kind, f.value, f.unit FROM facts AS f JOIN articles AS a "
            "USING (article_id) ORDER BY ALL").fetchall()  # fmt: skip
        pages = con.execute(
            "SELECT source, kind, regexp_replace(url, '^.*/', ''), outcome FROM pages "
            "ORDER BY ALL").fetchall()  # fmt: skip
    finally:
        con.close()
    return {"articles": articles, "tags": tags, "stories": stories, "facts": facts,
            "pages": pages}  # fmt: skip


STORED = [
    "https://chipletter.example/broadcom-openai",
    "https://news.chipletter.example/amd-openai-6gw",
    "https://www.gridwire.example/2025/10/13/openai-broadcom-10gw",
    "https://www.gridwire.example/2025/10/21/xai-colossus-2",
]


def test_backfill_from_cc_news_over_http_and_from_a_folder(
    prefect_harness, archive, tmp_path, monkeypatch
):
    server, names = archive["server"], archive["names"]
    summary = _backfill(archive, tmp_path / "http.duckdb", server.base)

    # only the WARCs that may hold records of the window were read: not November's
    assert not any("/2025/11/CC-NEWS" in p for p in server.requested)
    assert "crawl-data/CC-NEWS/2025/11/warc.paths.gz" in server.requested  # the margin's month
    http = _warehouse(tmp_path / "http.duckdb")
    assert [a[0] for a in http["articles"]] == STORED
    by_url = {a[0]: a for a in http["articles"]}
    assert by_url[STORED[1]][1:] == ("chipletter", "AMD to supply OpenAI with 6 gigawatts of "
                                     "Instinct GPUs", "2025-10-06", "en")  # fmt: skip
    assert by_url[STORED[2]][1] == "gridwire"

    orgs = {(url, name) for url, kind, name in http["tags"] if kind == "org"}
    assert {(STORED[1], "AMD"), (STORED[1], "OpenAI"), (STORED[2], "Broadcom"),
            (STORED[2], "OpenAI"), (STORED[3], "xAI")} <= orgs  # fmt: skip
    power = {(url, value) for url, kind, value, _ in http["facts"] if kind == "power"}
    assert (STORED[1], 6.0) in power and (STORED[2], 10.0) in power
    # the two tellings of the Broadcom order are one story; the others stand alone
    assert [STORED[0], STORED[2]] in [list(s[0]) for s in http["stories"]]
    assert len(http["stories"]) == 3

    rows = {(s, k, u): o for s, k, u, o in http["pages"]}
    assert rows[("gridwire", "article", "nvidia-openai-loi")] == "outside_window"
    assert rows[("cc-news", "warc", names["truncated"])] == "parse_error"
    assert rows[("cc-news", "warc", names["not_gzip"])] == "parse_error"
    assert rows[("cc-news", "warc", names["missing"])] == "http_error"
    assert rows[("cc-news", "warc", "CC-NEWS-20251006080000-00001.warc.gz")] == "ok"
    assert not any("meta-hyperion" in u or "q3.pdf" in u or "old-url" in u or "oracle" in u
                   for _, _, u, _ in http["pages"])  # fmt: skip

    assert summary["status"] == "partial"
    counts = {r["source"]: r for r in summary["sources"]}
    assert counts["gridwire"]["articles_new"] == 2
    assert counts["chipletter"]["articles_new"] == 2
    assert counts["gridwire"]["outside_window"] == 2  # Nvidia's date; Anthropic's WARC-Date
    assert counts["cc-news"]["errors"] == 3 and counts["gridwire"]["errors"] == 0
    arch = summary["archive"]
    assert arch["warcs"] == 6 and arch["warcs_failed"] == 3
    assert (arch["other_hosts"], arch["not_html"], arch["not_200"]) == (1, 1, 1)
    failed = {Path(f["url"]).name: f["error"] for f in arch["failed"]}
    assert "not gzip" in failed[names["not_gzip"]] or "neither gzip" in failed[names["not_gzip"]]
    assert "truncated" in failed[names["truncated"]]
    assert "404" in failed[names["missing"]]

    # the same archive read from its folder, one WARC per task on a Dask LocalCluster (each
    # task extracts and tags its pages on the worker), gives the same warehouse
    folder = _backfill(archive, tmp_path / "folder.duckdb", str(archive["root"]), "local:1")
    assert _warehouse(tmp_path / "folder.duckdb") == http
    assert folder["sources"] == summary["sources"]

    # a second backfill over the same window, by the command, stores nothing new (and says
    # the broken WARCs again: a partial run, exit status 3)
    from prefect.settings import PREFECT_API_URL
    from typer.testing import CliRunner

    from gigawatch.cli import app

    monkeypatch.setenv("PREFECT_API_URL", str(PREFECT_API_URL.value()))
    again = CliRunner().invoke(app, [
        "backfill", "--since", "2025-10-01", "--until", "2025-10-31", "--from", "cc-news",
        "--archive", server.base, "--sources", str(archive["sources"]),
        "--db", str(tmp_path / "http.duckdb"), "--batch-size", "3",
    ])  # fmt: skip
    assert again.exit_code == 3, again.output
    assert "Nothing new" in again.output
    after = _warehouse(tmp_path / "http.duckdb")
    assert after["articles"] == http["articles"] and after["stories"] == http["stories"]
    assert after["tags"] == http["tags"]


def test_backfill_from_cc_news_into_a_lake_answers_as_one_warehouse_file(
    prefect_harness, archive, tmp_path
):
    """The CC-NEWS path writes a Parquet lake as the crawl path does: its catalogue answers
    with the same articles, tags, facts, stories and page records as a single file."""
    one = _backfill(archive, tmp_path / "one.duckdb", str(archive["root"]))
    lake = tmp_path / "lake"
    into = _backfill(archive, tmp_path / "catalogue.duckdb", str(archive["root"]),
                     lake=str(lake))  # fmt: skip
    assert into["sources"] == one["sources"] and into["status"] == one["status"] == "partial"
    assert len(list((lake / "_batches").glob("*.json"))) >= 2  # 4 articles, 3 a batch
    assert list((lake / "documents").glob("day=*/*.parquet"))
    assert _warehouse(tmp_path / "catalogue.duckdb") == _warehouse(tmp_path / "one.duckdb")
    assert [a[0] for a in _warehouse(tmp_path / "catalogue.duckdb")["articles"]] == STORED


def test_a_bad_archive_is_refused_before_the_run_starts(prefect_harness, archive, tmp_path):
    from warehouse import db as wh

    db = tmp_path / "bad.duckdb"
    server = serve(lambda h: (h.send_response(404), h.send_header("Content-Length", "0"),
                              h.end_headers()))  # fmt: skip
    try:
        with pytest.raises(ccnews.ArchiveError, match="nothing listed in the archive"):
            _backfill(archive, db, f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()
    with pytest.raises(ccnews.ArchiveError, match="does not exist"):
        _backfill(archive, db, str(tmp_path / "no-such-folder"))
    with pytest.raises(ccnews.ArchiveError, match="bad archive URL"):
        _backfill(archive, db, "ftp://mirror.example/cc/")
    if db.exists():  # nothing was recorded as a run
        con = wh.connect(db, read_only=True)
        assert con.execute("SELECT count(*) FROM flow_runs").fetchone() == (0,)
        con.close()


def test_a_folder_of_warcs_without_listing_or_layout(archive, tmp_path):
    flat = tmp_path / "flat folder"  # given as a file:// URL, with its %20
    flat.mkdir()
    for path in (archive["root"] / MONTH).glob("*.warc.gz"):
        shutil.copy(path, flat / path.name)
    shutil.copy(archive["root"] / "crawl-data/CC-NEWS/2025/11/CC-NEWS-20251115100000-00100"
                ".warc.gz", flat)  # fmt: skip
    (flat / "notes.txt").write_text("not a WARC", encoding="utf-8")
    listing = ccnews.list_warcs(flat.as_uri(), SINCE, UNTIL)
    assert [Path(w.url).name for w in listing.warcs] == [
        "CC-NEWS-20251006080000-00001.warc.gz", "CC-NEWS-20251013150000-00002.warc.gz",
        "CC-NEWS-20251021100000-00003.warc.gz", "CC-NEWS-20251022100000-00004.warc.gz",
    ]  # fmt: skip
    assert listing.problems == []
    # the same layout without warc.paths.gz is listed from its month folders
    layout = tmp_path / "layout"
    shutil.copytree(archive["root"], layout)
    for paths in layout.rglob("warc.paths.gz"):
        paths.unlink()
    names = [Path(w.url).name for w in ccnews.list_warcs(str(layout), SINCE, UNTIL).warcs]
    assert names[0] == "CC-NEWS-20250930200000-00090.warc.gz" and len(names) == 5


def test_records_are_kept_by_host_status_type_and_date(archive):
    config = load_sources(archive["sources"])
    hosts = ccnews.SourceHosts.of(config.sources)
    assert hosts.source_for("https://www.gridwire.example/a") == "gridwire"
    assert hosts.source_for("https://gridwire.example/a") == "gridwire"
    assert hosts.source_for("https://news.chipletter.example/a") == "chipletter"
    assert hosts.source_for("https://notgridwire.example/a") is None
    window = ccnews.window_bounds(SINCE, UNTIL)
    url = (archive["root"] / MONTH / "CC-NEWS-20251013150000-00002.warc.gz").as_uri()
    read = ccnews.read_warc(url, hosts, window, "run-1", 5_000_000,
                            now=datetime(2026, 1, 1))  # fmt: skip
    assert not read.failed
    assert [p["url"] for p in read.pages] == [
        "https://www.gridwire.example/2025/10/13/openai-broadcom-10gw",
        "https://gridwire.example/2025/09/22/nvidia-openai-loi",
        "https://chipletter.example/broadcom-openai",
    ]
    page = read.pages[0]
    assert page["kind"] == "article" and page["outcome"] == "fetched"
    assert page["encoding"] == "utf-8" and page["language_hint"] == "en"
    from gigawatch.extract import unpack_body

    assert unpack_body(page["body"]).decode() == BROADCOM
    assert (read.counts["records"], read.counts["responses"], read.counts["not_200"]) == (9, 4, 1)


def test_cc_news_table_in_the_sources_file():
    config = parse_sources(SOURCES)
    assert config.cc_news.base_url == "https://data.commoncrawl.org/"
    mirror = parse_sources(SOURCES + '\n[cc_news]\nbase_url = "https://mirror.example/cc/"\n')
    assert mirror.cc_news.base_url == "https://mirror.example/cc/"
    with pytest.raises(SourcesError) as bad:
        parse_sources(SOURCES + '\n[cc_news]\nbase_url = "ftp://x/"\nbase = 1\n')
    assert bad.value.problems == [
        "[cc_news]: unknown key 'base' (did you mean 'base_url'?)",
        "[cc_news]: base_url: bad archive URL 'ftp://x/' (expected http://, https://, s3://, "
        "file:// or a folder)",
    ]


def test_cli_refuses_a_bad_archive_or_origin_before_running(
    prefect_harness, archive, tmp_path, monkeypatch
):
    from prefect.settings import PREFECT_API_URL
    from typer.testing import CliRunner

    from gigawatch.cli import app

    monkeypatch.setenv("PREFECT_API_URL", str(PREFECT_API_URL.value()))

    runner = CliRunner()
    base = ["backfill", "--since", "2025-10-01", "--until", "2025-10-31",
            "--sources", str(archive["sources"]), "--db", str(tmp_path / "x.duckdb")]  # fmt: skip
    bad = runner.invoke(app, [*base, "--from", "cc-news", "--archive", "ftp://mirror/cc/"])
    assert bad.exit_code == 2
    assert "--archive: bad archive URL 'ftp://mirror/cc/'" in bad.output
    wrong = runner.invoke(app, [*base, "--from", "wayback"])
    assert wrong.exit_code == 2 and "--from must be one of crawl, cc-news" in wrong.output
    alone = runner.invoke(app, [*base, "--archive", str(archive["root"])])
    assert alone.exit_code == 2 and "--archive is for --from cc-news" in alone.output
    missing = runner.invoke(app, [*base, "--from", "cc-news", "--archive", str(tmp_path / "no")])
    assert missing.exit_code == 2
    assert f"archive: archive folder {tmp_path / 'no'} does not exist" in missing.output
    assert not (tmp_path / "x.duckdb").exists()


def test_a_dead_archive_host_is_a_network_error_after_retries(monkeypatch):
    import socket

    monkeypatch.setattr(ccnews, "RETRY_SECONDS", 0.05)

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    hosts = ccnews.SourceHosts.of(parse_sources(SOURCES).sources)
    url = f"http://127.0.0.1:{port}/{MONTH}/CC-NEWS-20251006080000-00001.warc.gz"
    read = ccnews.read_warc(url, hosts, ccnews.window_bounds(SINCE, UNTIL), "r", 10**6)
    assert read.outcome == "network_error"
    assert f"cannot reach http://127.0.0.1:{port}/" in (read.error or "")
    assert "3 tries" in (read.error or "") and read.pages == []
    with pytest.raises(ccnews.ArchiveError, match="cannot reach the archive .* ConnectionError"):
        ccnews.list_warcs(f"http://127.0.0.1:{port}/", SINCE, UNTIL)


def _whole_members(data: bytes) -> bool:
    """Whether ``data`` is gzip members, each complete (a cut between two records)."""
    try:
        return bool(data) and gzip.decompress(data) is not None
    except (EOFError, OSError):
        return False


def test_a_warc_cut_anywhere_keeps_only_whole_records(tmp_path):
    """Every cut of a WARC reads without raising: the pages kept are the whole file's first
    ones, bodies intact, and the file is ok only when it was cut between two gzip members
    (then it is a shorter, valid WARC)."""
    full = tmp_path / "CC-NEWS-20251013150000-00009.warc.gz"
    write_warc(full, [
        ("https://www.gridwire.example/a", "2025-10-13T15:20:00Z", BROADCOM.encode(), {}),
        ("https://chipletter.example/b", "2025-10-13T15:21:00Z", AMD.encode(), {}),
        ("https://www.gridwire.example/c", "2025-10-13T15:22:00Z", XAI_TRUNCATED_OK.encode(), {}),
    ])  # fmt: skip
    data = full.read_bytes()
    hosts = ccnews.SourceHosts.of(parse_sources(SOURCES).sources)
    window = ccnews.window_bounds(SINCE, UNTIL)
    whole = ccnews.read_warc(str(full), hosts, window, "r", 10**6)
    assert [p["url"][-1] for p in whole.pages] == ["a", "b", "c"] and not whole.failed
    boundaries, rest = [], data  # where each gzip member (one record) ends
    while rest:
        member = zlib.decompressobj(31)
        member.decompress(rest)
        rest = member.unused_data
        boundaries.append(len(data) - len(rest))
    assert len(boundaries) == 7  # warcinfo, then a request and a response per page
    cut = tmp_path / "cut.warc.gz"
    for end in sorted({*range(0, len(data), 41), *boundaries[:-1]}):
        cut.write_bytes(data[:end])
        read = ccnews.read_warc(str(cut), hosts, window, "r", 10**6)
        assert read.outcome in ("parse_error", "ok"), (end, read.error)
        assert (read.outcome == "ok") == _whole_members(data[:end]), (end, read.error)
        n = len(read.pages)
        assert [p["body_sha1"] for p in read.pages] == [p["body_sha1"] for p in whole.pages[:n]]


@settings(max_examples=120, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    prefix=st.sampled_from([b"", b"\x1f\x8b\x08", b"WARC/1.0\r\n"]), junk=st.binary(max_size=600)
)
def test_random_bytes_as_a_warc_never_raise(tmp_path, prefix, junk):
    path = tmp_path / "junk.warc.gz"
    path.write_bytes(prefix + junk)
    hosts = ccnews.SourceHosts.of(parse_sources(SOURCES).sources)
    read = ccnews.read_warc(str(path), hosts, ccnews.window_bounds(SINCE, UNTIL), "r", 10**6)
    assert read.outcome in ("ok", "parse_error")
    assert read.outcome == "ok" or read.error


def test_the_archive_on_an_s3_api_reads_as_the_folder(archive, monkeypatch):
    """The same archive copied to an S3 API on 127.0.0.1 (moto in server mode), read through
    fsspec's s3fs: the same WARC files, the same pages, the same failures."""
    import fsspec
    from moto.server import ThreadedMotoServer

    s3fs_class = fsspec.get_filesystem_class("s3")
    s3fs_class.clear_instance_cache()  # an instance made for another endpoint is not reused
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                           "AWS_DEFAULT_REGION": "us-east-1",
                           "AWS_ENDPOINT_URL": f"http://{host}:{port}",
                           "AWS_EC2_METADATA_DISABLED": "true"}.items():  # fmt: skip
            monkeypatch.setenv(key, value)
        fs = fsspec.filesystem("s3", skip_instance_cache=True)
        fs.mkdir("cc-archive")
        root = archive["root"]
        for path in root.rglob("*"):
            if path.is_file():
                fs.pipe_file(f"cc-archive/{path.relative_to(root)}", path.read_bytes())
        hosts = ccnews.SourceHosts.of(load_sources(archive["sources"]).sources)
        window = ccnews.window_bounds(SINCE, UNTIL)

        def reads(base: str) -> list[tuple[str, str, list[str]]]:
            listing = ccnews.list_warcs(base, SINCE, UNTIL)
            out = []
            for warc in listing.warcs:
                read = ccnews.read_warc(warc.url, hosts, window, "r", 10**6)
                out.append((Path(warc.url).name, read.outcome,
                            [p["body_sha1"] for p in read.pages]))  # fmt: skip
            return out

        from_s3 = reads("s3://cc-archive/")
        assert from_s3 == reads(str(root))
        assert [o for _, o, _ in from_s3].count("ok") == 3 and len(from_s3) == 6
    finally:
        s3fs_class.clear_instance_cache()
        server.stop()


def test_an_archive_under_load_is_retried(archive, monkeypatch):
    """503 twice, then the file: read; 503 every time: an http_error after 3 tries."""
    monkeypatch.setattr(ccnews, "RETRY_SECONDS", 0.05)
    rel = f"{MONTH}/CC-NEWS-20251006080000-00001.warc.gz"
    data = (archive["root"] / rel).read_bytes()
    asked: list[str] = []

    def answer(handler: BaseHTTPRequestHandler) -> None:
        asked.append(handler.path)
        busy = handler.path.startswith("/always") or asked.count(handler.path) <= 2
        body = b"Slow Down" if busy else data
        handler.send_response(503 if busy else 200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    server = serve(answer)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    hosts = ccnews.SourceHosts.of(parse_sources(SOURCES).sources)
    window = ccnews.window_bounds(SINCE, UNTIL)
    try:
        read = ccnews.read_warc(f"{base}/{rel}", hosts, window, "r", 10**6)
        assert not read.failed and len(read.pages) == 1 and asked.count(f"/{rel}") >= 3
        busy = ccnews.read_warc(f"{base}/always/{rel}", hosts, window, "r", 10**6)
        assert busy.outcome == "http_error" and "HTTP 503" in (busy.error or "")
        assert "(3 tries)" in (busy.error or "")
    finally:
        server.shutdown()
        server.server_close()
