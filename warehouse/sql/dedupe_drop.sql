-- Drop the dedupe state (restory re-creates it from migrations/0003_dedupe.sql).
DROP TABLE IF EXISTS dedupe_state;
DROP TABLE IF EXISTS doc_signatures;
DROP TABLE IF EXISTS lsh_buckets;
DROP TABLE IF EXISTS lsh_bands;
DROP TABLE IF EXISTS story_features;
DROP TABLE IF EXISTS story_keys;
DROP TABLE IF EXISTS story_members;
DROP TABLE IF EXISTS article_dedupe;
