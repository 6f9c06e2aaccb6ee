-- Deduplication and stories (gigawatch/dedupe/, warehouse/dedupe_store.py): the state kept
-- between runs so a new batch is compared with the history through joins on its own keys,
-- and each article's verdict. Derived from `documents` and the tags, rebuilt rather than
-- migrated: warehouse/dedupe_store.py runs this file (drop, then create) and folds every
-- stored article again (`gigawatch restory`, or the next fold when derived_state ('dedupe')
-- holds another digest than that of this file and warehouse/sql/dedupe_*.sql). Migration
-- 0003 created their first shape; lsh_bands and story_members are tables of older versions.
-- No primary keys: batches are appended in bulk, and dedupe_store keeps one row per article
-- (doc_signatures has a plain index on article_id for point lookups).

DROP TABLE IF EXISTS dedupe_state;
DROP TABLE IF EXISTS doc_signatures;
DROP TABLE IF EXISTS lsh_buckets;
DROP TABLE IF EXISTS lsh_bands;
DROP TABLE IF EXISTS story_features;
DROP TABLE IF EXISTS story_keys;
DROP TABLE IF EXISTS story_members;
DROP TABLE IF EXISTS article_dedupe;

-- The settings the stored signatures and buckets were computed with (name = 'signature').
CREATE TABLE dedupe_state (
    name  VARCHAR NOT NULL,
    value VARCHAR NOT NULL
);

-- One row per folded article: normalised-text hash and MinHash signature.
CREATE TABLE doc_signatures (
    article_id BIGINT NOT NULL,
    seen_at    TIMESTAMPTZ NOT NULL,      -- published_at, else fetched_at: "first seen" order
    text_hash  BIGINT NOT NULL,           -- sha1 of the normalised words (exact duplicates)
    n_words    INTEGER NOT NULL,
    minhash    BLOB                       -- num_perm little-endian uint32; NULL under min_words
);

-- LSH buckets: one row per (band, bucket, article) of articles that are not exact copies.
CREATE TABLE lsh_buckets (
    band       SMALLINT NOT NULL,
    bucket     UBIGINT NOT NULL,
    article_id BIGINT NOT NULL
);

-- Story index: features of each article that is not a duplicate ...
CREATE TABLE story_features (
    article_id  BIGINT NOT NULL,
    seen_at     TIMESTAMPTZ NOT NULL,
    features    VARCHAR NOT NULL,         -- JSON {feature: salience}, feature one of
                                          -- o:<org> c:<chip> p:<place> f:<kind>:<value>
    title_words VARCHAR NOT NULL,         -- normalised title words, space-separated
    lead        VARCHAR                   -- JSON list of the features its title and first
                                          -- paragraph name (gigawatch/dedupe/lead.py)
);

-- ... and its keys (hashed pairs of top features), by time, so a new article meets only
-- the articles of its window.
CREATE TABLE story_keys (
    key        UBIGINT NOT NULL,
    article_id BIGINT NOT NULL,
    seen_at    TIMESTAMPTZ NOT NULL
);

-- The verdict for each folded article (joined into the `articles` view).
CREATE TABLE article_dedupe (
    article_id   BIGINT NOT NULL,
    duplicate_of BIGINT,                  -- first-seen article of its duplicate group; NULL if it is
    method       VARCHAR,                 -- exact | near (duplicates only)
    similarity   DOUBLE,                  -- estimated Jaccard with duplicate_of (1 for exact)
    story_id     BIGINT NOT NULL,         -- article_id of the story's first article
    story_score  DOUBLE                   -- evidence that joined it to its story; NULL if it began
                                          -- the story or is a duplicate
);

-- Point lookups of folded articles by id (a batch's history candidates).
CREATE INDEX doc_signatures_article ON doc_signatures (article_id);
