-- Temporary tables of the batch being folded: its articles (filled by dedupe_store) and
-- their LSH buckets (cut from the hex string of each article's bucket keys).
CREATE OR REPLACE TEMP TABLE _dd_batch (
    article_id BIGINT,
    seen_at    TIMESTAMPTZ,
    text_hash  BIGINT,
    n_words    INTEGER,
    eligible   BOOLEAN,
    minhash    BLOB,
    buckets    VARCHAR                   -- 16 hex digits per band
);
CREATE OR REPLACE TEMP TABLE _dd_buckets (
    band       SMALLINT,
    bucket     UBIGINT,
    article_id BIGINT
);
