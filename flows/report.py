"""The ``report`` flow: write the HTML report of a period and publish a link to it.

Deployed as ``weekly-report`` (prefect.yaml, Mondays 07:00 UTC). It only reads the warehouse
(read-only connection, waiting like any reader while a writer holds the file).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from gigawatch.settings import db_path
from warehouse import db as wh

DEFAULT_OUT = "reports"


@task(retries=2, retry_delay_seconds=10)
def write(db: Path, out: Path, since: date | None, until: date | None, interval: str,
          top: int, lock_timeout: float) -> dict[str, Any]:  # fmt: skip
    from gigawatch import report, trends

    con = wh.connect(db, read_only=True, lock_timeout=lock_timeout)
    try:
        per = trends.period(con, since, until, interval)
        built = report.build(con, per, top)
    finally:
        con.close()
    html = report.render(built)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"gigawatch-report-{per.since:%Y%m%d}-{per.until:%Y%m%d}.html"
    path.write_text(html, encoding="utf-8")
    (out / "index.html").write_text(html, encoding="utf-8")
    return {
        "path": str(path.resolve()),
        "since": per.since.isoformat(),
        "until": per.until.isoformat(),
        "kpis": [(label, value) for label, value, _ in built.kpis],
        "top": [(s["headline"], s["n_sources"]) for s in built.top_stories[:5]],
    }


def markdown(summary: dict[str, Any]) -> str:
    path = Path(summary["path"])
    lines = [
        f"# gigawatch report, {summary['since']} – {summary['until']}",
        "",
        f"[Open the report]({path.as_uri()}) (`{path}`, one self-contained HTML page)",
        "",
        "| figure | value |",
        "|---|---|",
        *[f"| {label} | {value} |" for label, value in summary["kpis"]],
        "",
        "Top stories:",
        "",
        *[f"{i}. {headline} ({n} outlets)" for i, (headline, n) in enumerate(summary["top"], 1)],
    ]
    return "\n".join(lines) + "\n"


@flow(name="report")
def report(
    db: str | None = None,
    out: str = DEFAULT_OUT,
    since: date | None = None,
    until: date | None = None,
    interval: str = "week",
    top: int = 10,
    lock_timeout: float = wh.DEFAULT_LOCK_TIMEOUT,
) -> dict[str, Any]:
    """Write the report (default period: the 12 weeks to the latest article) and publish a
    markdown artifact ``report`` linking to it. Returns the path and the period."""
    summary = write(db_path(db), Path(out), since, until, interval, top, lock_timeout)
    create_markdown_artifact(
        key="report",
        markdown=markdown(summary),
        description=f"gigawatch report {summary['since']} – {summary['until']}",
    )
    return summary
