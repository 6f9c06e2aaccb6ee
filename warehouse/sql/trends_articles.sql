-- Recompute the trend rows of the articles in _tr_articles, and collect the stories and
-- weeks they belonged to before and belong to now (_tr_stories, _tr_weeks). Every dirty
-- article id counts as a story id too: it may be the first article of a story whose other
-- articles did not change (its date or title makes the story's first_seen and headline).
CREATE TEMP TABLE _tr_articles AS
SELECT DISTINCT article_id FROM _tr_dirty;

CREATE TEMP TABLE _tr_stories AS
SELECT article_id AS story_id FROM _tr_articles
UNION ALL
SELECT story_id FROM trend_docs WHERE article_id IN (SELECT article_id FROM _tr_articles);

CREATE TEMP TABLE _tr_weeks AS
SELECT DISTINCT week FROM trend_docs WHERE article_id IN (SELECT article_id FROM _tr_articles);

DELETE FROM trend_docs WHERE article_id IN (SELECT article_id FROM _tr_articles);

DELETE FROM trend_mentions WHERE article_id IN (SELECT article_id FROM _tr_articles);

-- relevant (tags) and not a duplicate (dedupe), a story of its own until folded
INSERT INTO trend_docs
SELECT
    d.article_id,
    coalesce(v.story_id, d.article_id),
    d.source,
    coalesce(t.language, d.language),
    d.title,
    d.url,
    coalesce(d.published_at, d.fetched_at),
    -- UTC calendar fields by integer arithmetic on the epoch (views/00_macros.sql)
    utc_day(coalesce(d.published_at, d.fetched_at)),
    utc_week(coalesce(d.published_at, d.fetched_at)),
    utc_month(coalesce(d.published_at, d.fetched_at))
FROM _tr_articles AS a
JOIN documents AS d ON d.article_id = a.article_id
JOIN article_tags AS t ON t.article_id = a.article_id AND t.relevant
LEFT JOIN article_dedupe AS v ON v.article_id = a.article_id
WHERE v.duplicate_of IS NULL
ORDER BY 7, 1;

INSERT INTO trend_mentions
SELECT td.article_id, td.story_id, m.kind, m.name, td.source, td.language, td.day, td.week
FROM _tr_articles AS a
JOIN trend_docs AS td ON td.article_id = a.article_id
JOIN tag_mentions AS m ON m.article_id = a.article_id
ORDER BY td.day, m.kind, m.name;

INSERT INTO _tr_stories
SELECT story_id FROM trend_docs WHERE article_id IN (SELECT article_id FROM _tr_articles);

INSERT INTO _tr_weeks
SELECT DISTINCT week FROM trend_docs WHERE article_id IN (SELECT article_id FROM _tr_articles);
