DELETE FROM doc_signatures;
DELETE FROM lsh_buckets;
DELETE FROM story_keys;
DELETE FROM article_dedupe;
