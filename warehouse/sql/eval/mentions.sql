-- Organisations and accelerators the tagger found in each article (eval/score_signal.py).
SELECT article_id, kind, name
FROM tag_mentions
WHERE kind IN ('org', 'chip')
ORDER BY article_id, kind, name;
