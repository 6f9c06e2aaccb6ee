-- The stories the duplicate group of $old (its first-seen article and the articles pointing
-- to it) leaves when it joins story $story.
SELECT DISTINCT story_id
FROM article_dedupe
WHERE (article_id = $old OR duplicate_of = $old) AND story_id <> $story;
