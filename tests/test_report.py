"""The HTML report: self-contained, charts drawn in a real browser, and the Prefect flow.

The browser is Debian's ``chromium``, headless; ``make browser`` (part of ``make test``)
installs it when it is missing and we are root. Without it the browser test is skipped, saying
why.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from gigawatch.cli import app

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1280,2000", "--virtual-time-budget=5000",
]  # fmt: skip


@pytest.fixture(scope="session")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("chromium is not installed (`make browser` installs Debian's chromium)")
    return found


@pytest.fixture(scope="module")
def report_file(ingested, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(app, ["report", "--db", str(ingested["db"]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    path = out / "gigawatch-report-20250908-20251125.html"
    assert path.is_file() and f"Report written to {path}" in result.output.replace("\n", "")
    assert (out / "index.html").read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
    return path


def test_report_is_self_contained(report_file):
    html = report_file.read_text(encoding="utf-8")
    # nothing to fetch: no script, no stylesheet or image from elsewhere
    assert "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//(?!127\.0\.0\.1)', html.replace("<a href", ""))
    assert "8 Sep 2025 – 25 Nov 2025" in html
    assert html.count("<svg") == 5  # orgs, power, money, rising, sources
    # ids are unique across the inlined SVGs
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    for kpi in ("29", "43 relevant articles", "44.0 GW", "$783 bn", "dead"):
        assert kpi in html


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def _png_colours(path: Path) -> int:
    """Number of distinct colours in the first rows of pixels (a blank page has one)."""
    data = path.read_bytes()
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, _, depth, colour_type = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and colour_type in (2, 6)
            channels = 3 if colour_type == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompressobj().decompress(idat, 200 * (width * channels + 1))
    stride = width * channels + 1
    # unfiltered bytes are enough to tell a blank page from a drawn one
    return len({raw[i : i + channels] for r in range(0, len(raw) // stride)
                for i in range(r * stride + 1, (r + 1) * stride, channels * 7)})  # fmt: skip


def test_charts_draw_in_headless_chromium(report_file, chromium, tmp_path):
    profile = tmp_path / "profile"
    shot = tmp_path / "report.png"
    url = report_file.as_uri()
    common = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}"]
    subprocess.run([*common, f"--screenshot={shot}", url], capture_output=True, timeout=180,
                   check=True)  # fmt: skip
    assert _png_size(shot) == (1280, 2000)
    assert _png_colours(shot) > 10
    dom = subprocess.run([*common, "--dump-dom", url], capture_output=True, text=True,
                         timeout=180, check=True).stdout  # fmt: skip
    charts = dict(re.findall(r'<svg data-chart="(\w+)"(.*?)</svg>', dom, flags=re.S))
    assert set(charts) == {"orgs", "power", "money", "rising", "sources"}

    def marks(chart: str) -> set[str]:
        return set(re.findall(r'aria-label="([^"]+)" role="graphics-symbol"', charts[chart]))

    # stories per organisation and week: Nvidia's row, one cell per week of the period
    nvidia = {m for m in marks("orgs") if "org: Nvidia;" in m}
    assert len(nvidia) == 12 and "week: 6 Oct; org: Nvidia; stories: 2" in nvidia
    # gigawatts per month: the OpenAI–AMD deal is one 6 GW segment of October
    assert any(m.startswith("month: Oct 2025; GW: 6; amount: 6; deal: AMD, OpenAI: 6 GW;")
               for m in marks("power"))  # fmt: skip
    assert any("deal: Amazon, OpenAI: 38 bn USD" in m for m in marks("money"))
    assert any("name: Microsoft; stories: 3" in m for m in marks("rising"))
    assert any("source: deadwire; outcome: failed; fetches: 1" in m for m in marks("sources"))


def test_report_flow_publishes_a_markdown_artifact(ingested, prefect_harness, tmp_path):
    from prefect.client.orchestration import get_client

    from flows.report import report

    summary = report(db=str(ingested["db"]), out=str(tmp_path))
    path = Path(summary["path"])
    assert path.is_file() and path.parent == tmp_path
    assert (summary["since"], summary["until"]) == ("2025-09-08", "2025-11-25")

    async def latest() -> str:
        async with get_client() as client:
            found = await client.read_artifacts()
            return [a for a in found if a.key == "report"][-1].data

    markdown = asyncio.run(latest())
    assert f"[Open the report]({path.as_uri()})" in markdown
    assert "| gigawatts announced | 44.0 GW |" in markdown


def test_weekly_report_deployment():
    deployments = {d["name"]: d for d in yaml.safe_load((ROOT / "prefect.yaml").read_text())[
        "deployments"]}  # fmt: skip
    weekly = deployments["weekly-report"]
    assert weekly["entrypoint"] == "flows/report.py:report"
    assert weekly["schedules"] == [{"cron": "0 7 * * 1", "timezone": "UTC"}]
    assert "concurrency_limit" not in weekly  # a reader: it never waits for the writers' slot


def test_a_busy_month_draws_its_largest_stories_and_one_segment_for_the_rest():
    from datetime import UTC, date, datetime

    from gigawatch import report as rp
    from gigawatch import trends as tr

    months = tr.Period(date(2025, 10, 1), date(2025, 11, 30), "month")
    n = rp.SEGMENTS + 4
    largest = [
        {"first_seen": datetime(2025, 10, 1 + i, tzinfo=UTC), "gw": float(n - i), "gw_low": None,
         "qualifier": None, "orgs": [f"Org{i}"], "headline": f"Deal {i}"}
        for i in range(rp.SEGMENTS)
    ]  # fmt: skip
    total = sum(range(1, n + 1))  # the month's n stories: n, n-1, ..., 1 GW
    totals = [(date(2025, 10, 1), n, float(total)), (date(2025, 11, 1), 0, 0.0)]
    chart = rp.deals_bars("power", largest, totals, months)
    marks = re.findall(r'aria-label="([^"]+)" role="graphics-symbol"', chart.svg)
    segments = [m for m in marks if m.startswith("month: Oct 2025; GW:")]
    assert len(segments) == rp.SEGMENTS + 1
    others = [m for m in segments if "deal: 4 other stories" in m]
    assert len(others) == 1 and "amount: 10;" in others[0]  # 4 + 3 + 2 + 1 GW
    # the month's total is printed on its bar
    assert f">{total}</text>" in chart.svg
