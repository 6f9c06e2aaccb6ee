-- Articles that may duplicate an article of the batch: the same normalised text, or a shared
-- LSH bucket, in the history or in the batch itself. Joins on the batch's own hashes and
-- buckets (temporary tables _dd_batch and _dd_buckets).
SELECT b.article_id AS a, s.article_id AS b
FROM _dd_batch AS b
JOIN doc_signatures AS s ON s.text_hash = b.text_hash
WHERE b.eligible AND s.n_words >= $min_words
UNION
SELECT b.article_id AS a, c.article_id AS b
FROM _dd_batch AS b
JOIN _dd_batch AS c ON c.text_hash = b.text_hash AND c.article_id <> b.article_id
WHERE b.eligible AND c.eligible
UNION
SELECT q.article_id AS a, h.article_id AS b
FROM _dd_buckets AS q
JOIN lsh_buckets AS h ON h.band = q.band AND h.bucket = q.bucket
UNION
SELECT q.article_id AS a, r.article_id AS b
FROM _dd_buckets AS q
JOIN _dd_buckets AS r ON r.band = q.band AND r.bucket = q.bucket AND r.article_id <> q.article_id;
