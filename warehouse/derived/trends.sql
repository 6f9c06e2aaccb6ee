-- Trend tables: what the trend views read, kept up to date at ingest so that a question over
-- the whole history reads a few thousand pre-aggregated rows instead of joining every article,
-- mention and fact. Derived data, rebuilt rather than migrated: warehouse/trend_store.py runs
-- this file (drop, then create) before recomputing everything, and derived_state ('trends')
-- holds the digest of this file and of warehouse/sql/trends_*.sql they were computed with;
-- editing either makes the next writer rebuild them. Migration 0005 created their first shape.

DROP TABLE IF EXISTS trend_docs;
DROP TABLE IF EXISTS trend_mentions;
DROP TABLE IF EXISTS trend_weekly;
DROP TABLE IF EXISTS trend_story_orgs;
DROP TABLE IF EXISTS trend_cooccurrence;
DROP TABLE IF EXISTS trend_story_members;
DROP TABLE IF EXISTS trend_stories;
DROP TABLE IF EXISTS trend_deals;

-- The articles that count in trends: relevant and not a duplicate, with their story and
-- their UTC day, ISO week (Monday) and month.
CREATE TABLE trend_docs (
    article_id   BIGINT NOT NULL,
    story_id     BIGINT NOT NULL,             -- article_dedupe.story_id, itself until folded
    source       VARCHAR NOT NULL,
    language     VARCHAR,
    title        VARCHAR,
    url          VARCHAR NOT NULL,
    published_at TIMESTAMPTZ NOT NULL,        -- publication time, else fetch time
    day          DATE NOT NULL,
    week         DATE NOT NULL,
    month        DATE NOT NULL
);

-- What those articles name: one row per (article, kind, name), with the article's story,
-- day, week, outlet and language alongside.
CREATE TABLE trend_mentions (
    article_id BIGINT NOT NULL,
    story_id   BIGINT NOT NULL,
    kind       VARCHAR NOT NULL,
    name       VARCHAR NOT NULL,
    source     VARCHAR NOT NULL,
    language   VARCHAR,
    day        DATE NOT NULL,
    week       DATE NOT NULL
);

-- Per ISO week, kind and name: distinct stories, articles, outlets and languages.
CREATE TABLE trend_weekly (
    week      DATE NOT NULL,
    kind      VARCHAR NOT NULL,
    name      VARCHAR NOT NULL,
    stories   BIGINT NOT NULL,
    articles  BIGINT NOT NULL,
    outlets   BIGINT NOT NULL,
    languages VARCHAR[] NOT NULL
);

-- The organisations of each story, with the month of the story's first article.
CREATE TABLE trend_story_orgs (
    story_id BIGINT NOT NULL,
    month    DATE NOT NULL,
    name     VARCHAR NOT NULL
);

-- Organisation pairs per month of the stories naming both.
CREATE TABLE trend_cooccurrence (
    month   DATE NOT NULL,
    org_a   VARCHAR NOT NULL,
    org_b   VARCHAR NOT NULL,
    stories BIGINT NOT NULL
);

-- The story-level ledger of power and money figures (columns as in the `deals` view).
CREATE TABLE trend_deals (
    story_id   BIGINT NOT NULL,
    first_seen TIMESTAMPTZ NOT NULL,
    headline   VARCHAR,
    kind       VARCHAR NOT NULL,
    value      DOUBLE NOT NULL,
    value_low  DOUBLE,
    unit       VARCHAR,
    currency   VARCHAR,
    amount_usd DOUBLE,
    qualifier  VARCHAR,
    citations  BIGINT NOT NULL,
    orgs       VARCHAR[] NOT NULL,
    n_articles BIGINT NOT NULL,
    n_sources  BIGINT NOT NULL,
    sources    VARCHAR[] NOT NULL,
    languages  VARCHAR[] NOT NULL,
    sentence   VARCHAR,
    url        VARCHAR NOT NULL,
    cited_by   VARCHAR[] NOT NULL,            -- outlets whose articles cite this figure
    disputed   BOOLEAN NOT NULL,              -- an article of the story gives another value instead
    other_values STRUCT(value DOUBLE, currency VARCHAR, amount_usd DOUBLE, citations BIGINT,
                        sources VARCHAR[], instead BOOLEAN)[] NOT NULL
);

-- Every folded article's story as the `stories` rows were last computed with (all articles,
-- duplicates and irrelevant ones included): a refresh compares it with article_dedupe to find
-- the stories an article left or joined.
CREATE TABLE trend_story_members (
    article_id BIGINT NOT NULL,
    story_id   BIGINT NOT NULL
);

-- The rows of the `stories` view (columns documented there), one per story.
CREATE TABLE trend_stories (
    story_id   BIGINT NOT NULL,
    first_seen TIMESTAMPTZ,
    last_seen  TIMESTAMPTZ,
    headline   VARCHAR,
    n_articles BIGINT NOT NULL,
    n_sources  BIGINT NOT NULL,
    languages  VARCHAR[] NOT NULL
);
