-- The $top names of $kind ('org' | 'topic') by stories among the articles of the days
-- $since to $until (UTC, both included). Columns: name, stories, articles, outlets, languages.
SELECT
    m.name,
    count(DISTINCT t.story_id)                 AS stories,
    count(*)                                   AS articles,
    count(DISTINCT t.source)                   AS outlets,
    list_sort(list_distinct(list(t.language))) AS languages
FROM trend_articles AS t
JOIN mentions AS m USING (article_id)
WHERE m.kind = $kind AND t.day BETWEEN $since AND $until
GROUP BY m.name
ORDER BY stories DESC, articles DESC, m.name
LIMIT $top;
