-- Deduplication and stories: signatures and LSH buckets for near-duplicates, the story index,
-- and each article's verdict. Written by warehouse/dedupe_store.py only.

-- MinHash signature and normalised-text hash of every folded article.
CREATE TABLE IF NOT EXISTS doc_signatures (
    article_id BIGINT PRIMARY KEY,
    text_hash  BIGINT NOT NULL,              -- sha1 of the normalised words (exact duplicates)
    minhash    UBIGINT[] NOT NULL,           -- datasketch MinHash values (near-duplicates)
    seen_at    TIMESTAMPTZ NOT NULL          -- published_at, else fetched_at: "first seen" order
);

-- LSH: one row per (band bucket, article); articles sharing a bucket are candidates.
CREATE TABLE IF NOT EXISTS lsh_buckets (
    bucket     BIGINT NOT NULL,
    article_id BIGINT NOT NULL
);

-- Story index: the keys (organisation pairs, accelerators, rounded figures) of each article
-- that is not a duplicate, with its day, so a new article meets only nearby candidates.
CREATE TABLE IF NOT EXISTS story_keys (
    key        VARCHAR NOT NULL,
    article_id BIGINT NOT NULL,
    day        DATE NOT NULL
);

-- The verdict for each article.
CREATE TABLE IF NOT EXISTS article_dedupe (
    article_id   BIGINT PRIMARY KEY,
    duplicate_of BIGINT,                     -- first-seen article of its duplicate group, or NULL
    method       VARCHAR,                    -- exact | near (for duplicates)
    similarity   DOUBLE,                     -- estimated Jaccard with duplicate_of
    story_id     BIGINT NOT NULL,            -- article_id of the story's first article
    story_score  DOUBLE                      -- evidence that joined it to the story, NULL if it began it
);
