-- The organisations of the stories in _tr_stories, then organisation pairs per month for the
-- months those stories were (_tr_months, before) and are (after) in. A story's month is the
-- month of its first article (the article named by story_id), as first_seen in `stories`.
CREATE TEMP TABLE _tr_months AS
SELECT DISTINCT month FROM trend_story_orgs
WHERE story_id IN (SELECT story_id FROM _tr_stories);

DELETE FROM trend_story_orgs WHERE story_id IN (SELECT story_id FROM _tr_stories);

INSERT INTO trend_story_orgs
SELECT DISTINCT
    m.story_id,
    utc_month(coalesce(d.published_at, d.fetched_at)),
    m.name
FROM (SELECT DISTINCT story_id FROM _tr_stories) AS s
JOIN trend_mentions AS m ON m.story_id = s.story_id
JOIN documents AS d ON d.article_id = s.story_id
WHERE m.kind = 'org'
ORDER BY 2, 1, 3;

INSERT INTO _tr_months
SELECT DISTINCT month FROM trend_story_orgs
WHERE story_id IN (SELECT story_id FROM _tr_stories);

DELETE FROM trend_cooccurrence WHERE month IN (SELECT month FROM _tr_months);

INSERT INTO trend_cooccurrence
SELECT a.month, a.name, b.name, count(*)
FROM trend_story_orgs AS a
JOIN trend_story_orgs AS b ON a.story_id = b.story_id AND a.name < b.name
WHERE a.month IN (SELECT month FROM _tr_months)
  AND b.month IN (SELECT month FROM _tr_months)
GROUP BY a.month, a.name, b.name
ORDER BY a.month, a.name, b.name;
