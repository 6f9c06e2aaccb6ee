-- Every stored document in first-seen order (restory folds them in this order).
SELECT article_id, coalesce(published_at, fetched_at) AS seen_at
FROM documents
ORDER BY seen_at, article_id;
