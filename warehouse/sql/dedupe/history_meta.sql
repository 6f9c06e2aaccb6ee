-- Folded articles by id ({ids}: a literal list) without their signatures (restory has them
-- in memory): date, text hash, verdict and story.
SELECT s.article_id, s.seen_at, s.text_hash, v.duplicate_of, v.story_id
FROM (SELECT article_id, seen_at, text_hash FROM doc_signatures WHERE article_id IN ({ids})) AS s
JOIN article_dedupe AS v USING (article_id);
