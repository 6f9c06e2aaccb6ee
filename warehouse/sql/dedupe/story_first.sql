-- The first-seen article still in story $story.
SELECT v.article_id
FROM article_dedupe AS v
JOIN doc_signatures AS s USING (article_id)
WHERE v.story_id = $story
ORDER BY s.seen_at, v.article_id
LIMIT 1;
