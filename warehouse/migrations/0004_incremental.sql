-- Incremental crawling and run records.

-- ETag / Last-Modified of feeds and sitemaps after their last complete fetch, for
-- conditional requests (a 304 costs nothing further).
CREATE TABLE IF NOT EXISTS http_validators (
    url           VARCHAR PRIMARY KEY,
    source        VARCHAR NOT NULL,
    etag          VARCHAR,
    last_modified VARCHAR,
    updated_at    TIMESTAMPTZ NOT NULL
);

-- Counts of one run per source, written when the run finishes.
CREATE TABLE IF NOT EXISTS run_source_counts (
    run_id         VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,
    pages_fetched  INTEGER NOT NULL,
    not_modified   INTEGER NOT NULL,
    skipped_known  INTEGER NOT NULL,
    articles_new   INTEGER NOT NULL,
    duplicates     INTEGER NOT NULL,
    errors         INTEGER NOT NULL,
    PRIMARY KEY (run_id, source)
);
