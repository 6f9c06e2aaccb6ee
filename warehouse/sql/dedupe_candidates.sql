-- Pairs (new article, other article) sharing an LSH bucket or the exact text hash.
SELECT DISTINCT n.article_id AS a, h.article_id AS b
FROM (SELECT * FROM lsh_buckets WHERE article_id IN (SELECT unnest($ids))) AS n
JOIN lsh_buckets AS h ON h.bucket = n.bucket AND h.article_id <> n.article_id
UNION
SELECT n.article_id, h.article_id
FROM (SELECT * FROM doc_signatures WHERE article_id IN (SELECT unnest($ids))) AS n
JOIN doc_signatures AS h ON h.text_hash = n.text_hash AND h.article_id <> n.article_id;
