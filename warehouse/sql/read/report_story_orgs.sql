-- The four organisations most mentioned in each of the stories $ids.
-- Columns: story_id, organisations (a list).
SELECT story_id, list(name ORDER BY n DESC, name)[1:4]
FROM (
    SELECT t.story_id, m.name, sum(m.count) AS n
    FROM trend_articles AS t JOIN mentions AS m USING (article_id)
    WHERE m.kind = 'org' AND t.story_id IN (SELECT unnest($ids))
    GROUP BY ALL
)
GROUP BY story_id;
