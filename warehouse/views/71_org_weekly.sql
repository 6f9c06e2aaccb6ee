-- org_weekly: per organisation and ISO week, how much it was in the news.
--   week       : Monday of the ISO week (DATE, UTC); iso_week its label, e.g. 2025-W41
--   org        : canonical organisation name (taxonomy)
--   stories    : distinct stories naming it (syndication and retellings count once)
--   articles   : relevant, non-duplicate articles naming it
--   outlets    : distinct sources; languages: the languages it was told in
-- Only relevant articles that are not duplicates count (see trend_articles).
-- Example: Nvidia's weeks
--   SELECT iso_week, stories, articles, outlets, languages FROM org_weekly
--   WHERE org = 'Nvidia' ORDER BY week;
-- Read from the table trend_weekly (warehouse/trend_store.py).
CREATE OR REPLACE VIEW org_weekly AS
SELECT
    week,
    strftime(week, '%G-W%V') AS iso_week,
    name                     AS org,
    stories,
    articles,
    outlets,
    languages
FROM trend_weekly
WHERE kind = 'org';
