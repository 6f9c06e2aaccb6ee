-- The stored articles among $ids, with the sha1 of the body they were extracted from (a
-- changed body under --refresh means an update). Columns: article_id, body_sha1.
SELECT article_id, body_sha1
FROM documents
WHERE article_id IN (SELECT unnest($ids::BIGINT[]));
