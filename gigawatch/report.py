"""The report: one self-contained HTML page about a period, with charts.

``write_report`` reads the trend views (see :mod:`gigawatch.trends`) and writes
``<out>/gigawatch-report-<since>-<until>.html`` (and ``<out>/index.html``, the latest one). The
charts are Vega-Lite specifications made with Altair and rendered to SVG by vl-convert, in
this process, with no browser; the SVG is inlined, the CSS too, and the page has no script, so
it opens anywhere with no network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import altair as alt
import duckdb
import vl_convert as vlc
from jinja2 import Environment, select_autoescape

from gigawatch import __version__
from gigawatch import trends as tr
from warehouse.db import read_sql

FONT = "Helvetica Neue, Helvetica, Arial, sans-serif"
INK, MUTED, GRID = "#1f2933", "#52606d", "#e4e7eb"
BLUE, ORANGE, GREEN, RED = "#2f6fdf", "#e8833a", "#3f9d6b", "#d64545"
SEGMENTS = 8  # stories drawn as their own segment in a month's bar; the rest are one
STATUS_COLOURS = {"ok": GREEN, "quiet": "#9aa5b1", "degraded": ORANGE, "failing": RED,
                  "dead": RED, "stale": "#7b8794"}  # fmt: skip


@dataclass
class Chart:
    key: str
    title: str
    svg: str
    caption: str = ""


@dataclass
class Report:
    period: tr.Period
    generated_at: datetime
    kpis: list[tuple[str, str, str]]
    charts: dict[str, Chart]
    top_stories: list[dict[str, Any]]
    rising: tr.Result
    rising_fallback: tuple[date, tr.Result] | None
    power: list[dict[str, Any]]
    money: list[dict[str, Any]]
    sources: tr.Result
    notes: list[str] = field(default_factory=list)


# -- data -------------------------------------------------------------------------------------


def _fmt_bn(usd: float) -> str:
    bn = usd / 1e9
    if bn >= 1000:
        return f"${bn / 1000:,.2f} tn"
    return f"${bn:,.0f} bn" if bn >= 10 else f"${bn:,.1f} bn"


def _kpis(con: duckdb.DuckDBPyConnection, per: tr.Period) -> list:
    params = {"since": per.since, "until": per.until}

    def one(name: str) -> tuple:
        return con.execute(read_sql(f"read/{name}"), params).fetchall()[0]

    stories, articles, outlets, languages = one("report_kpis")
    (folded,) = one("report_folded")
    n_power, gw, n_money, usd = one("report_deals_kpis")
    return [
        ("stories", f"{stories:,}", f"from {articles:,} relevant articles"),
        (
            "outlets",
            f"{outlets:,}",
            f"in {len(languages or [])} languages: {', '.join(languages or [])}",
        ),  # fmt: skip
        ("gigawatts announced", f"{gw:,.1f} GW", f"in {n_power:,} stories, each counted once"),
        ("money announced", _fmt_bn(usd), f"in {n_money:,} stories, each counted once"),
        ("reposts folded", f"{folded:,}", "duplicates not counted twice"),
    ]


def _top_stories(con: duckdb.DuckDBPyConnection, per: tr.Period, top: int) -> list[dict[str, Any]]:
    cur = con.execute(
        read_sql("read/report_top_stories"), {"since": per.since, "until": per.until, "top": top}
    )
    cols = [d[0] for d in cur.description]
    stories = [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
    ids = [s["story_id"] for s in stories]
    orgs = (
        dict(con.execute(read_sql("read/report_story_orgs"), {"ids": ids}).fetchall())
        if ids
        else {}
    )
    # their figures, as in the ledgers of the month period the report's charts use
    months = tr.Period(per.since, per.until, "month")
    gw = {d["story_id"]: tr.format_figure(d, "power")
          for d in tr.deals_of_stories(con, "power", months, ids).records()}  # fmt: skip
    usd = {d["story_id"]: tr.format_figure(d, "money")
           for d in tr.deals_of_stories(con, "money", months, ids).records()}  # fmt: skip
    for s in stories:
        s["orgs"] = orgs.get(s["story_id"], [])
        s["figures"] = [f for f in (gw.get(s["story_id"]), usd.get(s["story_id"])) if f]
    return stories


# -- charts -----------------------------------------------------------------------------------


def _theme(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return (
        chart.configure(font=FONT, background="white")
        .configure_view(stroke=None)
        .configure_axis(labelColor=MUTED, titleColor=MUTED, gridColor=GRID, domainColor=GRID,
                        tickColor=GRID, labelFontSize=11, titleFontSize=11, titleFontWeight=500)
        .configure_legend(labelColor=MUTED, titleColor=MUTED, labelFontSize=11, titleFontSize=11)
    )  # fmt: skip


def render_svg(chart: alt.TopLevelMixin, key: str) -> str:
    """Vega-Lite → SVG with vl-convert; ids made unique per chart, so that several SVGs can
    live in one page; fixed size turned into a scalable one."""
    svg = vlc.vegalite_to_svg(_theme(chart).to_dict())
    svg = re.sub(r'id="([^"]+)"', rf'id="{key}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{key}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{key}-\1"', svg)
    return svg.replace("<svg ", f'<svg data-chart="{key}" preserveAspectRatio="xMinYMin meet" ', 1)


def org_heatmap(names: list[str], series: dict[str, dict[date, int]], per: tr.Period) -> Chart:
    buckets = per.buckets()
    values = [
        {"org": n, "week": bucket_label(b, per), "start": b.isoformat(),
         "stories": series[n].get(b, 0)}
        for n in names for b in buckets
    ]  # fmt: skip
    top = max((v["stories"] for v in values), default=1) or 1
    base = alt.Chart(alt.Data(values=values)).encode(
        x=alt.X("week:O", title=None, sort=[bucket_label(b, per) for b in buckets],
                axis=alt.Axis(labelAngle=-40, ticks=False, domain=False)),
        y=alt.Y("org:N", title=None, sort=names, axis=alt.Axis(ticks=False, domain=False)),
    )  # fmt: skip
    rect = base.mark_rect(cornerRadius=3, stroke="white", strokeWidth=2).encode(
        color=alt.Color("stories:Q", title="stories",
                        scale=alt.Scale(domain=[0, top], range=["#f5f7fa", BLUE]),
                        legend=alt.Legend(orient="right", gradientLength=120)),
        tooltip=["org:N", "week:O", "stories:Q"],
    )  # fmt: skip
    text = base.mark_text(fontSize=11).encode(
        text=alt.condition("datum.stories > 0", "stories:Q", alt.value("")),
        color=alt.condition(f"datum.stories > {top / 2}", alt.value("white"), alt.value(INK)),
    )
    chart = (rect + text).properties(width=max(360, 46 * len(buckets)), height=26 * len(names))
    return Chart("orgs", f"Stories per organisation, per {per.interval}",
                 render_svg(chart, "orgs"),
                 "Distinct stories naming each organisation; a story told by several outlets or "
                 "in several languages counts once.")  # fmt: skip


def bucket_label(b: date, per: tr.Period) -> str:
    return f"{b:%b %Y}" if per.interval == "month" else f"{b:%-d %b}"


def deals_bars(
    kind: str,
    largest: list[dict[str, Any]],
    totals: list[tuple[date, int, float]],
    months: tr.Period,
) -> Chart:
    """Stacked bars per month: one segment per story among the month's largest
    (``largest``, see :data:`SEGMENTS`), one for all its other stories (from ``totals``)."""
    buckets = months.buckets()
    labels = [f"{b:%b %Y}" for b in buckets]
    values = []
    shown: dict[date, tuple[int, float]] = {}
    for d in largest:
        b = tr.bucket_start(tr.day_of(d["first_seen"]), "month")
        if b not in buckets:
            continue
        amount = d["gw"] if kind == "power" else (d["amount_usd"] or 0) / 1e9
        n, v = shown.get(b, (0, 0.0))
        shown[b] = (n + 1, v + amount)
        values.append({"month": f"{b:%b %Y}", "amount": round(amount, 3),
                       "deal": f"{', '.join(d['orgs'][:2]) or 'n/a'}: "
                               f"{tr.format_figure(d, kind)}",
                       "headline": d["headline"]})  # fmt: skip
    for b, n, v in totals:
        n_shown, v_shown = shown.get(b, (0, 0.0))
        if n > n_shown:
            values.append({"month": f"{b:%b %Y}", "amount": round(max(v - v_shown, 0.0), 3),
                           "deal": f"{n - n_shown:,} other stories", "headline": ""})  # fmt: skip
    unit = "GW" if kind == "power" else "US$ bn"
    colour = BLUE if kind == "power" else ORANGE
    totals: dict[str, float] = {}
    for v in values:
        totals[v["month"]] = totals.get(v["month"], 0) + v["amount"]
    total_rows = [{"month": m, "total": round(t, 1)} for m, t in totals.items()]
    bars = alt.Chart(alt.Data(values=values)).mark_bar(
        color=colour, stroke="white", strokeWidth=1.5, width={"band": 0.6}
    ).encode(
        x=alt.X("month:O", sort=labels, title=None, scale=alt.Scale(domain=labels),
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("sum(amount):Q", title=unit, stack="zero"),
        order=alt.Order("amount:Q", sort="descending"),
        tooltip=["month:O", "deal:N", "amount:Q", "headline:N"],
    )  # fmt: skip
    labels_layer = (
        alt.Chart(alt.Data(values=total_rows))
        .mark_text(dy=-8, fontSize=12, fontWeight="bold", color=INK)
        .encode(x=alt.X("month:O", sort=labels), y="total:Q", text="total:Q")
    )
    chart = (bars + labels_layer).properties(width=max(220, 90 * len(labels)), height=220)
    title = "Gigawatts announced per month" if kind == "power" else "Money announced per month"
    caption = ("One segment per story (its most-cited figure), so a deal retold by four outlets "
               f"counts once; beyond the {SEGMENTS} largest of a month, its other stories are "
               "one segment.")  # fmt: skip
    return Chart(kind, title, render_svg(chart, kind), caption)


def rising_chart(found: tr.Result) -> Chart | None:
    rows = found.records()
    if not rows:
        return None
    values = [{"name": r["name"], "stories": r["stories"], "baseline": r["baseline"]}
              for r in rows]  # fmt: skip
    order = [r["name"] for r in rows]
    base = alt.Chart(alt.Data(values=values)).encode(
        y=alt.Y("name:N", sort=order, title=None, axis=alt.Axis(ticks=False, domain=False))
    )
    bars = base.mark_bar(color=GREEN, height=14, cornerRadiusEnd=3).encode(
        x=alt.X("stories:Q", title="stories in the 7 days"),
        tooltip=["name:N", "stories:Q", "baseline:Q"],
    )
    ticks = base.mark_tick(color=INK, thickness=2, size=20).encode(
        x="baseline:Q", tooltip=["name:N", "baseline:Q"]
    )
    chart = (bars + ticks).properties(width=320, height=26 * len(values))
    return Chart(
        "rising",
        "Rising names",
        render_svg(chart, "rising"),
        "Bar: stories in the 7 days; tick: weekly average over the 8 weeks before.",
    )


def sources_chart(health: tr.Result) -> Chart:
    values = []
    for r in health.records():
        errors = r["errors_7d"] or 0
        ok = (r["fetches_7d"] or 0) - errors
        values.append({"source": r["source"], "outcome": "ok", "fetches": ok})
        values.append({"source": r["source"], "outcome": "failed", "fetches": errors})
    order = [r["source"] for r in health.records()]
    chart = alt.Chart(alt.Data(values=values)).mark_bar(height=14).encode(
        y=alt.Y("source:N", sort=order, title=None, axis=alt.Axis(ticks=False, domain=False)),
        x=alt.X("fetches:Q", title="fetches in the last 7 days of crawling", stack="zero"),
        color=alt.Color("outcome:N", scale=alt.Scale(domain=["ok", "failed"], range=[GREEN, RED]),
                        legend=alt.Legend(orient="bottom", title=None)),
        order=alt.Order("outcome:N", sort="descending"),
        tooltip=["source:N", "outcome:N", "fetches:Q"],
    ).properties(width=320, height=26 * len(order))  # fmt: skip
    return Chart(
        "sources",
        "Fetches per source",
        render_svg(chart, "sources"),
        "Failed: HTTP errors, network errors, unreadable feeds, pages with no text.",
    )


# -- the page ---------------------------------------------------------------------------------


def build(con: duckdb.DuckDBPyConnection, per: tr.Period, top: int = 10) -> Report:
    months = tr.Period(per.since, per.until, "month")
    names, series = tr.names_over_time(con, "org", per, top)
    charts = {}
    if names:
        charts["orgs"] = org_heatmap([n[0] for n in names], series, per)
    for kind in ("power", "money"):
        charts[kind] = deals_bars(
            kind,
            tr.largest_per_interval(con, kind, months, SEGMENTS).records(),
            tr.deals_per_interval(con, kind, months),
            months,
        )
    found = tr.rising(con, per.until)
    fallback = None if found.rows else tr.recent_rising(con, per.until - timedelta(days=7))
    chart = rising_chart(found if found.rows else fallback[1] if fallback else found)
    if chart:
        charts["rising"] = chart
    health = tr.source_health(con)
    charts["sources"] = sources_chart(health)
    return Report(
        period=per,
        generated_at=datetime.now(UTC),
        kpis=_kpis(con, per),
        charts=charts,
        top_stories=_top_stories(con, per, top),
        rising=found,
        rising_fallback=fallback,
        power=tr.deals(con, "power", months, limit=top).records(),
        money=tr.deals(con, "money", months, limit=top).records(),
        sources=health,
    )


def _env() -> Environment:
    env = Environment(autoescape=select_autoescape(default=True), trim_blocks=True,
                      lstrip_blocks=True)  # fmt: skip
    env.filters["day"] = lambda v: f"{v:%-d %b %Y}" if v else ""
    env.filters["dt"] = lambda v: f"{v:%-d %b %Y %H:%M} UTC" if v else "never"
    env.filters["pct"] = lambda v: "" if v is None else f"{v * 100:.0f} %"
    env.filters["figure"] = tr.format_figure
    return env


def render(report: Report) -> str:
    template = (resources.files("gigawatch") / "templates" / "report.html.j2").read_text("utf-8")
    return (
        _env()
        .from_string(template)
        .render(r=report, version=__version__, status_colours=STATUS_COLOURS)
    )


def write_report(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    since: date | None = None,
    until: date | None = None,
    interval: str = "week",
    top: int = 10,
) -> Path:
    """Write the report for the period and return its path (``index.html`` is a copy)."""
    per = tr.period(con, since, until, interval)
    html = render(build(con, per, top))
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"gigawatch-report-{per.since:%Y%m%d}-{per.until:%Y%m%d}.html"
    path.write_text(html, encoding="utf-8")
    (out / "index.html").write_text(html, encoding="utf-8")
    return path
