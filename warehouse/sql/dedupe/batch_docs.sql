-- Documents of a batch and what was folded of them before (folded_* NULL when never folded).
-- {ids} is a literal list of article ids (at most ID_CHUNK): DuckDB then looks them up
-- through the primary-key and article_id indexes instead of scanning every text.
SELECT
    d.article_id,
    d.title,
    d.text,
    coalesce(d.published_at, d.fetched_at) AS seen_at,
    s.text_hash AS folded_hash,
    s.seen_at AS folded_seen_at
FROM documents AS d
LEFT JOIN (SELECT * FROM doc_signatures WHERE article_id IN ({ids})) AS s USING (article_id)
WHERE d.article_id IN ({ids});
