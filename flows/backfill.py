"""The ``backfill`` flow: collect the articles published in a past window."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow

from flows.pipeline import current_run_id, run_pipeline
from flows.runner import parse_spec
from flows.watches import with_watches
from gigawatch.ccnews import ORIGINS
from gigawatch.plan import CrawlPlan
from gigawatch.settings import DEFAULT_SOURCES, batch_size_for, db_path
from gigawatch.sources import load_sources
from warehouse import db as wh
from warehouse.lake import prepare as prepare_lake


@flow(name="backfill")
def backfill(
    since: date,
    until: date,
    sources: str = str(DEFAULT_SOURCES),
    only: list[str] | None = None,
    db: str | None = None,
    batch_size: int | None = None,  # None: 250, or 500 with dask (gigawatch/settings.py)
    lock_timeout: float = wh.DEFAULT_LOCK_TIMEOUT,
    refresh: bool = False,
    dask: str | None = None,
    shards: int | None = None,
    watches: str | None = None,
    origin: str = "crawl",
    archive: str | None = None,
    lake: str | None = None,  # a Parquet lake (folder, s3://...); db: its catalogue
) -> dict[str, Any]:
    """Collect articles published from ``since`` to ``until`` (inclusive days).

    Sitemaps are filtered by lastmod or news publication date (following sitemap indexes),
    feeds by item date; ``archives`` URL patterns are enumerated for each day of the window and
    ``cdx`` sources are listed through the CDX API. Articles whose extracted date lies outside
    the window are not stored. ``watches``, ``dask``, ``shards``: as for ``ingest``.

    ``origin="cc-news"`` reads the pages from Common Crawl News WARC files instead of the
    sites (``flows/ccnews.py``): the archive at ``archive``, else the sources file's
    ``[cc_news] base_url``.
    """
    if until < since:
        raise ValueError(f"until ({until}) is before since ({since})")
    batch_size = batch_size_for(batch_size, parse_spec(dask).distributed)  # a bad spec fails here
    if origin not in ORIGINS:
        raise ValueError(f"origin must be one of {', '.join(ORIGINS)}, not {origin!r}")
    config = with_watches(load_sources(sources).select(only), watches)
    plan = CrawlPlan(
        run_id=current_run_id(), only=only or [], since=since.isoformat(),
        until=until.isoformat(), refresh=refresh,
    )  # fmt: skip
    plan.lake = prepare_lake(db_path(db), lake, lock_timeout)  # None: one warehouse file
    params = {"since": since.isoformat(), "until": until.isoformat(), "sources": sources,
              "only": only, "refresh": refresh, "watches": config.watches,
              "batch_size": batch_size, "dask": dask, "shards": shards}  # fmt: skip
    if origin == "cc-news":
        from flows.ccnews import run_ccnews

        params |= {"origin": origin, "archive": archive or config.cc_news.base_url}
        return run_ccnews(config, db_path(db), plan, params, archive, batch_size, lock_timeout,
                          dask=dask)  # fmt: skip
    return run_pipeline("backfill", config, db_path(db), plan, params, batch_size, lock_timeout,
                        dask=dask, shards=shards)  # fmt: skip
