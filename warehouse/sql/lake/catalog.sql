-- The catalogue's own tables, in the schema `lake` (so that `main` holds the same tables and
-- views as a single-file warehouse): the lake it reads, and the batches folded so far.
CREATE SCHEMA IF NOT EXISTS lake;

CREATE TABLE IF NOT EXISTS lake.settings (
    url         VARCHAR NOT NULL,             -- as DuckDB reads it: a path or s3://bucket/prefix
    attached_at TIMESTAMPTZ NOT NULL
);

-- One row per committed batch folded into this catalogue, in the order it was folded: the
-- views give a row that two batches wrote to the first of them (`seq`), and the dedupe state,
-- stories and trend tables were computed in this order.
CREATE TABLE IF NOT EXISTS lake.batches (
    seq          BIGINT PRIMARY KEY,
    batch        VARCHAR NOT NULL UNIQUE,     -- <run>-<digest of its fetch ids>
    run_id       VARCHAR,
    day          DATE NOT NULL,               -- its partition: the day its pages were fetched
    committed_at TIMESTAMPTZ NOT NULL,        -- when its manifest was written
    synced_at    TIMESTAMPTZ NOT NULL,        -- when this catalogue folded it
    tables       VARCHAR[] NOT NULL,          -- the tables it wrote a file for
    articles     BIGINT NOT NULL              -- articles whose stored version it holds
);
