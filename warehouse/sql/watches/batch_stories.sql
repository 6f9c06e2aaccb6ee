-- The stories of the articles $ids (BIGINT[]) just stored.
SELECT DISTINCT story_id
FROM articles
WHERE list_contains($ids::BIGINT[], article_id) AND story_id IS NOT NULL
ORDER BY story_id;
