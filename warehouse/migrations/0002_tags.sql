-- Tags (issue: tagging). One row per tagged article in article_tags, its mentions and its facts.
-- Written only by warehouse/tags.py (ingest and `gigawatch retag`), which replaces the three
-- tables' rows of an article together, in the caller's transaction.

CREATE TABLE IF NOT EXISTS article_tags (
    article_id       BIGINT PRIMARY KEY,       -- documents.article_id
    language         VARCHAR,                  -- ISO 639-1 code detected by py3langid (or given)
    relevance        DOUBLE NOT NULL,          -- 0..1, see gigawatch/relevance.py
    relevant         BOOLEAN NOT NULL,         -- relevance >= [relevance] threshold at tagging time
    taxonomy_version VARCHAR NOT NULL,         -- `version` of the taxonomy file used
    tagged_at        TIMESTAMPTZ NOT NULL
);

-- What an article names: one row per (article, kind, canonical name).
CREATE TABLE IF NOT EXISTS tag_mentions (
    article_id BIGINT NOT NULL,
    kind       VARCHAR NOT NULL CHECK (kind IN ('org', 'chip', 'topic', 'place')),
    name       VARCHAR NOT NULL,               -- canonical name from the taxonomy
    count      INTEGER NOT NULL                -- matches in title and text
);

-- Quantities found in the article text, in order of appearance (seq).
CREATE TABLE IF NOT EXISTS tag_facts (
    article_id BIGINT NOT NULL,
    seq        INTEGER NOT NULL,
    kind       VARCHAR NOT NULL CHECK (kind IN ('power', 'energy', 'money', 'stake', 'shares')),
    value      DOUBLE NOT NULL,                -- GW | GWh | amount in currency | % | shares
    value_low  DOUBLE,                         -- lower bound when qualifier = 'range'
    unit       VARCHAR,                        -- GW | GWh | ISO currency code | % | shares
    currency   VARCHAR,                        -- ISO 4217 code for money
    amount_usd DOUBLE,                         -- money converted with gigawatch/defaults/fx_rates.toml
    qualifier  VARCHAR,                        -- up_to | more_than | about | range | NULL
    repeated   BOOLEAN NOT NULL,               -- same kind/value/unit/currency seen earlier in the article
    sentence   VARCHAR NOT NULL,
    span_start INTEGER NOT NULL,               -- character offsets in documents.text
    span_end   INTEGER NOT NULL,
    orgs       VARCHAR[] NOT NULL              -- organisations named in the same sentence
);
