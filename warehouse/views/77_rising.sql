-- rising: organisations and accelerators whose story count this week is well above their own
-- recent baseline.
--   "This week" is the 7 days ending on the reference day: the day of the latest article in
--   the warehouse (not today: an archive or the demo data keeps its own time), or any day with
--   the table macro rising_at(DATE '2025-11-13') (`gigawatch trends rising --until DATE`).
--   The baseline is the mean number of stories per 7 days over the 8 weeks before.
--   A name is rising when it has at least 2 stories this week and at least twice its baseline.
--   kind         : org | chip
--   name         : canonical name (taxonomy)
--   week_start, week_end : the 7 days (DATE, UTC, both included)
--   stories      : distinct stories naming it this week; articles, outlets likewise
--   baseline     : stories per week over the 8 weeks before (prior_stories / 8)
--   ratio        : stories / baseline (NULL when it had no story before: new)
--   new          : no story in the 8 weeks before
-- Example: SELECT name, stories, baseline, ratio FROM rising ORDER BY stories - baseline DESC;
CREATE OR REPLACE MACRO rising_at(ref_day) AS TABLE
WITH ref AS (
    SELECT CAST(ref_day AS DATE) AS d
),
recent AS (
    -- the mentions of the 9 weeks to the reference day (trend_mentions: relevant articles,
    -- not duplicates, with their story and day)
    SELECT m.kind, m.name, m.story_id, m.source, m.day, ref.d
    FROM trend_mentions AS m, ref
    WHERE m.kind IN ('org', 'chip') AND m.day BETWEEN ref.d - 62 AND ref.d
),
per_story AS (
    -- one row per name, story and window (this week or the 8 weeks before)
    SELECT kind, name, story_id, day > d - 7 AS this_week, any_value(d) AS d,
           count(*) AS articles, list(source) AS sources
    FROM recent
    GROUP BY ALL
),
counts AS (
    SELECT
        kind,
        name,
        any_value(d)                                                      AS d,
        count(*) FILTER (WHERE this_week)                                 AS stories,
        CAST(coalesce(sum(articles) FILTER (WHERE this_week), 0) AS BIGINT) AS articles,
        len(list_distinct(flatten(list(sources) FILTER (WHERE this_week)))) AS outlets,
        count(*) FILTER (WHERE NOT this_week)                             AS prior_stories
    FROM per_story
    GROUP BY kind, name
)
SELECT
    kind,
    name,
    d - 6                                                                 AS week_start,
    d                                                                     AS week_end,
    stories,
    articles,
    outlets,
    prior_stories,
    round(prior_stories / 8.0, 3)                                         AS baseline,
    round(stories / nullif(prior_stories / 8.0, 0), 2)                    AS ratio,
    prior_stories = 0                                                     AS new
FROM counts
WHERE stories >= 2 AND stories >= 2 * prior_stories / 8.0;

CREATE OR REPLACE VIEW rising AS
SELECT *
FROM rising_at((
    SELECT utc_day(least(max(published_at), now()))
    FROM documents
));
