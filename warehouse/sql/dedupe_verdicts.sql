SELECT article_id, duplicate_of, story_id
FROM article_dedupe
WHERE article_id IN (SELECT unnest($ids));
