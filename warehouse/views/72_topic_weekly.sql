-- topic_weekly: per topic and ISO week, how much it was in the news.
--   week       : Monday of the ISO week (DATE, UTC); iso_week its label, e.g. 2025-W41
--   topic      : canonical topic name (taxonomy), e.g. 'power and grid', 'nuclear'
--   stories    : distinct stories about it (syndication and retellings count once)
--   articles   : relevant, non-duplicate articles about it
--   outlets    : distinct sources; languages: the languages it was told in
-- Only relevant articles that are not duplicates count (see trend_articles).
-- Example: the topics of the busiest weeks
--   SELECT iso_week, topic, stories FROM topic_weekly
--   QUALIFY row_number() OVER (PARTITION BY week ORDER BY stories DESC, topic) <= 3
--   ORDER BY week, stories DESC;
CREATE OR REPLACE VIEW topic_weekly AS
SELECT
    t.week,
    strftime(t.week, '%G-W%V')                                AS iso_week,
    m.name                                                     AS topic,
    count(DISTINCT t.story_id)                                 AS stories,
    count(*)                                                   AS articles,
    count(DISTINCT t.source)                                   AS outlets,
    list(DISTINCT t.language ORDER BY t.language) FILTER (WHERE t.language IS NOT NULL)
                                                               AS languages
FROM trend_articles AS t
JOIN mentions AS m USING (article_id)
WHERE m.kind = 'topic'
GROUP BY t.week, m.name;
