-- When the articles in {ids} (a literal list) were first seen (the first article of a story
-- gives its start).
SELECT article_id, seen_at
FROM doc_signatures
WHERE article_id IN ({ids});
