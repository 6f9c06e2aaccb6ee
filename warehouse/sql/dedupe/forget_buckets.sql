-- Drop the LSH buckets of the articles in $ids (now exact copies: their original has them).
DELETE FROM lsh_buckets WHERE article_id IN (SELECT unnest($ids::BIGINT[]));
