-- Forget the folded state of the articles in $ids (their text changed; statements one by one).
DELETE FROM doc_signatures WHERE article_id IN (SELECT unnest($ids::BIGINT[]));
DELETE FROM lsh_buckets WHERE article_id IN (SELECT unnest($ids::BIGINT[]));
DELETE FROM story_features WHERE article_id IN (SELECT unnest($ids::BIGINT[]));
DELETE FROM story_keys WHERE article_id IN (SELECT unnest($ids::BIGINT[]));
DELETE FROM article_dedupe WHERE article_id IN (SELECT unnest($ids::BIGINT[]));
