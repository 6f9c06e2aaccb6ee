-- Temporary tables of the batch's originals: story features and keys (hex, 16 digits each).
CREATE OR REPLACE TEMP TABLE _dd_story (
    article_id  BIGINT,
    seen_at     TIMESTAMPTZ,
    features    VARCHAR,
    title_words VARCHAR,
    lead        VARCHAR,
    keys        VARCHAR
);
CREATE OR REPLACE TEMP TABLE _dd_keys (
    key        UBIGINT,
    article_id BIGINT,
    seen_at    TIMESTAMPTZ
);
