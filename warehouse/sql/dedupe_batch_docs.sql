-- Documents of a batch and what was folded of them before (folded_* NULL when never folded).
SELECT
    d.article_id,
    d.title,
    d.text,
    coalesce(d.published_at, d.fetched_at) AS seen_at,
    s.text_hash AS folded_hash,
    s.seen_at AS folded_seen_at
FROM documents AS d
LEFT JOIN doc_signatures AS s USING (article_id)
WHERE d.article_id IN (SELECT unnest($ids::BIGINT[]));
