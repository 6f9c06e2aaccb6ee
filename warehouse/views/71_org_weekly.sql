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
CREATE OR REPLACE VIEW org_weekly AS
SELECT
    t.week,
    strftime(t.week, '%G-W%V')                                AS iso_week,
    m.name                                                     AS org,
    count(DISTINCT t.story_id)                                 AS stories,
    count(*)                                                   AS articles,
    count(DISTINCT t.source)                                   AS outlets,
    list(DISTINCT t.language ORDER BY t.language) FILTER (WHERE t.language IS NOT NULL)
                                                               AS languages
FROM trend_articles AS t
JOIN mentions AS m USING (article_id)
WHERE m.kind = 'org'
GROUP BY t.week, m.name;
