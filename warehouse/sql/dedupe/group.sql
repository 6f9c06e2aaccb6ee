-- The members of a duplicate group (articles pointing to $root), with their signatures.
SELECT v.article_id, s.text_hash, s.minhash
FROM article_dedupe AS v
JOIN doc_signatures AS s USING (article_id)
WHERE v.duplicate_of = $root;
