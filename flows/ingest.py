"""The ``ingest`` flow: crawl → extract → load, batch by batch, only what is new."""

from __future__ import annotations

from typing import Any

from prefect import flow

from flows.pipeline import current_run_id, run_pipeline
from flows.runner import parse_spec
from flows.watches import with_watches
from gigawatch.plan import CrawlPlan
from gigawatch.settings import DEFAULT_SOURCES, batch_size_for, db_path
from gigawatch.sources import load_sources
from warehouse import db as wh
from warehouse.lake import prepare as prepare_lake


@flow(name="ingest")
def ingest(
    sources: str = str(DEFAULT_SOURCES),
    db: str | None = None,
    only: list[str] | None = None,
    batch_size: int | None = None,  # None: 250, or 500 with dask (gigawatch/settings.py)
    lock_timeout: float = wh.DEFAULT_LOCK_TIMEOUT,
    refresh: bool = False,
    dask: str | None = None,
    shards: int | None = None,
    watches: str | None = None,
    lake: str | None = None,  # a Parquet lake (folder, s3://...); db: its catalogue
) -> dict[str, Any]:
    """Crawl the configured sources, extract new articles and load them into DuckDB.

    Article URLs already stored are not fetched again unless ``refresh``; feeds and sitemaps
    are fetched with conditional requests. ``watches``: the watches file (default: the
    sources file's ``watches`` key), evaluated after each stored batch. ``dask``: run the
    crawl shards and the extraction batches on a Dask cluster (``local:N`` or a scheduler
    address, ``flows/runner.py``; None: in this process); ``shards``: crawl children (None: one,
    or one per Dask worker). Returns the run summary.
    """
    batch_size = batch_size_for(batch_size, parse_spec(dask).distributed)  # a bad spec fails here
    config = load_sources(sources).select(only)  # fail fast on a bad sources file
    config = with_watches(config, watches)  # and on a bad watches file
    plan = CrawlPlan(run_id=current_run_id(), only=only or [], refresh=refresh)
    plan.lake = prepare_lake(db_path(db), lake, lock_timeout)  # None: one warehouse file
    params = {"sources": sources, "only": only, "batch_size": batch_size, "refresh": refresh,
              "watches": config.watches, "dask": dask, "shards": shards}  # fmt: skip
    return run_pipeline("ingest", config, db_path(db), plan, params, batch_size, lock_timeout,
                        dask=dask, shards=shards)  # fmt: skip
