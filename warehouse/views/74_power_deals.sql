-- power_deals: announced capacity, one row per story (see deals for how its figure is chosen).
--   gw (gw_low: lower bound of a range), qualifier (up_to | more_than | about | range | NULL),
--   story_id, first_seen, headline, orgs, citations, n_articles, n_sources, sources, languages,
--   sentence, url, cited_by, disputed, other_values (see deals)
-- Example: gigawatts announced per month, each story counted once
--   SELECT date_trunc('month', first_seen) AS month, count(*) AS stories, sum(gw) AS gw
--   FROM power_deals GROUP BY ALL ORDER BY month;
CREATE OR REPLACE VIEW power_deals AS
SELECT
    story_id, first_seen, headline, value AS gw, value_low AS gw_low, qualifier, orgs,
    citations, n_articles, n_sources, sources, languages, sentence, url, cited_by, disputed,
    other_values
FROM deals
WHERE kind = 'power';
