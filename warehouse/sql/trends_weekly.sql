-- Per ISO week, kind and name, for the weeks in _tr_weeks: distinct stories, articles (one
-- trend_mentions row per article and name), distinct outlets and languages.
DELETE FROM trend_weekly WHERE week IN (SELECT week FROM _tr_weeks);

INSERT INTO trend_weekly
SELECT
    week,
    kind,
    name,
    count(DISTINCT story_id),
    count(*),
    count(DISTINCT source),
    coalesce(list(DISTINCT language ORDER BY language) FILTER (WHERE language IS NOT NULL), [])
FROM trend_mentions
WHERE week IN (SELECT week FROM _tr_weeks)
GROUP BY week, kind, name
ORDER BY week, kind, name;
