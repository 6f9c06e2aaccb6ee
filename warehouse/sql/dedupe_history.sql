-- Folded articles by id: signature, verdict and story.
SELECT s.article_id, s.seen_at, s.text_hash, s.minhash, v.duplicate_of, v.story_id
FROM doc_signatures AS s
JOIN article_dedupe AS v USING (article_id)
WHERE s.article_id IN (SELECT unnest($ids::BIGINT[]));
