-- The stored documents among $ids, every column (a batch's writer loads them into its
-- in-memory warehouse, so that they count as known, or are updated with --refresh).
SELECT * FROM documents WHERE article_id IN (SELECT unnest($ids::BIGINT[]));
