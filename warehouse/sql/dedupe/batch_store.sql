-- Keep the batch's signatures, and the buckets of its articles that are not exact copies
-- ($exact: their ids; an exact copy has the buckets of its original).
INSERT INTO doc_signatures
SELECT article_id, seen_at, text_hash, n_words, CASE WHEN eligible THEN minhash END
FROM _dd_batch;
INSERT INTO lsh_buckets
SELECT band, bucket, article_id
FROM _dd_buckets
WHERE article_id NOT IN (SELECT unnest($exact::BIGINT[]));
