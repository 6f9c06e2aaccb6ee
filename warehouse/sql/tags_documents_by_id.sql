-- The documents with the given ids, to tag after a load.
SELECT article_id, coalesce(title, '') AS title, text, language
FROM documents
WHERE article_id IN (SELECT unnest($ids::BIGINT[]));
