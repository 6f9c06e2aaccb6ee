-- Deduplication and stories (gigawatch/dedupe.py, gigawatch/stories.py): the state kept
-- between runs so a new batch is compared with the history through joins on its own keys,
-- and each article's verdict. Written only by warehouse/dedupe_store.py; everything here is
-- derived from `documents` and the tags and is rebuilt by `gigawatch restory`.
-- No primary keys: batches are appended in bulk, and dedupe_store keeps one row per article
-- (doc_signatures has a plain index on article_id for point lookups).

-- Version of these tables (name = 'schema') and the settings the stored signatures and
-- buckets were computed with (name = 'signature').
CREATE TABLE IF NOT EXISTS dedupe_state (
    name  VARCHAR NOT NULL,
    value VARCHAR NOT NULL
);
INSERT INTO dedupe_state VALUES ('schema', '2');

-- One row per folded article: normalised-text hash and MinHash signature.
CREATE TABLE IF NOT EXISTS doc_signatures (
    article_id BIGINT NOT NULL,
    seen_at    TIMESTAMPTZ NOT NULL,      -- published_at, else fetched_at: "first seen" order
    text_hash  BIGINT NOT NULL,           -- sha1 of the normalised words (exact duplicates)
    n_words    INTEGER NOT NULL,
    minhash    BLOB                       -- num_perm little-endian uint32; NULL under min_words
);

-- LSH buckets: one row per (band, bucket, article) of articles that are not exact copies.
CREATE TABLE IF NOT EXISTS lsh_buckets (
    band       SMALLINT NOT NULL,
    bucket     UBIGINT NOT NULL,
    article_id BIGINT NOT NULL
);

-- Story index: features of each article that is not a duplicate ...
CREATE TABLE IF NOT EXISTS story_features (
    article_id  BIGINT NOT NULL,
    seen_at     TIMESTAMPTZ NOT NULL,
    features    VARCHAR NOT NULL,         -- JSON {feature: salience}, feature one of
                                          -- o:<org> c:<chip> p:<place> f:<kind>:<value>
    title_words VARCHAR NOT NULL          -- normalised title words, space-separated
);

-- ... and its keys (hashed pairs of top features), by time, so a new article meets only
-- the articles of its window.
CREATE TABLE IF NOT EXISTS story_keys (
    key        UBIGINT NOT NULL,
    article_id BIGINT NOT NULL,
    seen_at    TIMESTAMPTZ NOT NULL
);

-- The verdict for each folded article (joined into the `articles` view).
CREATE TABLE IF NOT EXISTS article_dedupe (
    article_id   BIGINT NOT NULL,
    duplicate_of BIGINT,                  -- first-seen article of its duplicate group; NULL if it is
    method       VARCHAR,                 -- exact | near (duplicates only)
    similarity   DOUBLE,                  -- estimated Jaccard with duplicate_of (1 for exact)
    story_id     BIGINT NOT NULL,         -- article_id of the story's first article
    story_score  DOUBLE                   -- evidence that joined it to its story; NULL if it began
                                          -- the story or is a duplicate
);

-- Point lookups of folded articles by id (a batch's history candidates).
CREATE INDEX IF NOT EXISTS doc_signatures_article ON doc_signatures (article_id);
