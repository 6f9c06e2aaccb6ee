-- One page of stored documents to (re-)tag, in article_id order (keyset pagination).
SELECT article_id, coalesce(title, '') AS title, text, language
FROM documents
WHERE article_id > $after
ORDER BY article_id
LIMIT $limit;
