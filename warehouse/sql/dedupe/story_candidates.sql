-- Earlier articles sharing a story key with an article of the batch (temporary table
-- _dd_keys) within the window; $lo/$hi bound the whole batch so DuckDB skips older row groups.
SELECT DISTINCT q.article_id AS a, k.article_id AS b
FROM _dd_keys AS q
JOIN story_keys AS k ON k.key = q.key
WHERE k.seen_at BETWEEN $lo AND $hi
  AND k.seen_at BETWEEN q.seen_at - to_seconds($window) AND q.seen_at + to_seconds($window);
