-- The $top stories of the days $since to $until (UTC) told by the most outlets.
-- Columns: story_id, headline, url, first_seen, n_articles, n_sources, sources, languages.
SELECT
    t.story_id,
    any_value(d.title)                                  AS headline,
    any_value(d.url)                                    AS url,
    any_value(coalesce(d.published_at, d.fetched_at))   AS first_seen,
    count(*)                                            AS n_articles,
    count(DISTINCT t.source)                            AS n_sources,
    list_sort(list_distinct(list(t.source)))            AS sources,
    list_sort(list_distinct(list(t.language)))          AS languages
FROM trend_articles AS t
JOIN documents AS d ON d.article_id = t.story_id
WHERE t.day BETWEEN $since AND $until
GROUP BY t.story_id
ORDER BY n_sources DESC, n_articles DESC, first_seen
LIMIT $top;
