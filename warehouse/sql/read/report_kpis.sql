-- The report's headline counts over the relevant, non-duplicate articles of the days $since
-- to $until (UTC): stories, articles, outlets, languages.
SELECT count(DISTINCT story_id), count(*), count(DISTINCT source),
       list_sort(list_distinct(list(language)))
FROM trend_articles
WHERE day BETWEEN $since AND $until;
