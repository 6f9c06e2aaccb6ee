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
-- Read from the table trend_weekly (warehouse/trend_store.py).
CREATE OR REPLACE VIEW topic_weekly AS
SELECT
    week,
    strftime(week, '%G-W%V') AS iso_week,
    name                     AS topic,
    stories,
    articles,
    outlets,
    languages
FROM trend_weekly
WHERE kind = 'topic';
