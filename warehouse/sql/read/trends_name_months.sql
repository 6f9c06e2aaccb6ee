-- Stories per month of the names $names of $kind ('org' | 'topic'), days $first to $until.
-- Columns: name, month, stories.
SELECT m.name, t.month, count(DISTINCT t.story_id)
FROM trend_articles AS t
JOIN mentions AS m USING (article_id)
WHERE m.kind = $kind AND m.name IN (SELECT unnest($names))
  AND t.day BETWEEN $first AND $until
GROUP BY ALL;
