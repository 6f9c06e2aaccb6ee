-- Core tables: every fetch, raw bodies (kept so history can be re-extracted), extracted documents, runs.

CREATE TABLE IF NOT EXISTS flow_runs (
    run_id      VARCHAR PRIMARY KEY,
    flow        VARCHAR NOT NULL,
    params      JSON,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status      VARCHAR NOT NULL,          -- running | completed | partial | failed
    summary     JSON
);

-- Raw response bodies, zlib-compressed, stored once per distinct content.
CREATE TABLE IF NOT EXISTS bodies (
    sha1     VARCHAR PRIMARY KEY,
    encoding VARCHAR,                      -- encoding declared by the response, if any
    size     INTEGER NOT NULL,             -- uncompressed bytes
    body     BLOB NOT NULL
);

-- One row per fetch attempt (feeds, sitemaps, listings and article pages), failures included.
CREATE TABLE IF NOT EXISTS fetches (
    fetch_id     VARCHAR PRIMARY KEY,      -- sha1(run_id | kind | url): loading a run twice adds nothing
    run_id       VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    kind         VARCHAR NOT NULL,         -- feed | sitemap | listing | article
    url          VARCHAR NOT NULL,
    final_url    VARCHAR,
    status       INTEGER,                  -- HTTP status, NULL when no answer
    content_type VARCHAR,
    fetched_at   TIMESTAMPTZ NOT NULL,
    outcome      VARCHAR NOT NULL,         -- see README: stored, known, not_article, http_error, ...
    error        VARCHAR,
    body_sha1    VARCHAR
);

-- Extracted articles, one row per canonical URL.
CREATE TABLE IF NOT EXISTS documents (
    article_id   BIGINT PRIMARY KEY,       -- from sha1(canonical url), see gigawatch.urls.article_id
    url          VARCHAR NOT NULL UNIQUE,  -- canonical URL
    source       VARCHAR NOT NULL,
    fetch_id     VARCHAR NOT NULL,
    body_sha1    VARCHAR NOT NULL,
    title        VARCHAR,
    author       VARCHAR,
    published_at TIMESTAMPTZ,
    language     VARCHAR,
    site_name    VARCHAR,
    description  VARCHAR,
    text         VARCHAR NOT NULL,
    fetched_at   TIMESTAMPTZ NOT NULL,
    extracted_at TIMESTAMPTZ NOT NULL,
    extractor    VARCHAR NOT NULL          -- e.g. trafilatura 2.3.1
);
