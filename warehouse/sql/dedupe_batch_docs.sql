-- Documents of a batch not folded yet, in first-seen order.
SELECT d.article_id, d.text, d.title, coalesce(d.published_at, d.fetched_at) AS seen_at
FROM documents AS d
WHERE d.article_id IN (SELECT unnest($ids))
  AND d.article_id NOT IN (SELECT article_id FROM doc_signatures)
ORDER BY seen_at, d.article_id;
