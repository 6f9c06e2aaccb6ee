-- Folded articles by id ({ids}: a literal list, looked up through the article_id index):
-- signature, verdict and story.
SELECT s.article_id, s.seen_at, s.text_hash, s.minhash, v.duplicate_of, v.story_id
FROM (SELECT * FROM doc_signatures WHERE article_id IN ({ids})) AS s
JOIN article_dedupe AS v USING (article_id);
