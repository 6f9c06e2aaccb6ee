-- Story features and current story of the articles in $ids (seen between $lo and $hi).
SELECT f.article_id, f.seen_at, f.features, f.title_words, f.lead, v.story_id
FROM story_features AS f
JOIN article_dedupe AS v USING (article_id)
WHERE f.article_id IN (SELECT unnest($ids::BIGINT[])) AND f.seen_at BETWEEN $lo AND $hi;
