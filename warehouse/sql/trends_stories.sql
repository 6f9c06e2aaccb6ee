-- The rows of the `stories` view (trend_stories) of every story that a dirty article
-- (_tr_dirty: new or changed text, title or date) belongs to, and of every story an article
-- left or joined since the last refresh (article_dedupe against trend_story_members: a
-- backfilled original taking over, a story relabelled when an earlier article joined it).
-- Unlike the other trend tables, every folded article counts: duplicates and irrelevant
-- articles too, as the view always did.
CREATE TEMP TABLE _tr_story_moved AS
SELECT
    coalesce(v.article_id, m.article_id) AS article_id,
    v.story_id                           AS story_now,
    m.story_id                           AS story_was
FROM article_dedupe AS v
FULL JOIN trend_story_members AS m ON m.article_id = v.article_id
WHERE v.story_id IS DISTINCT FROM m.story_id;

CREATE TEMP TABLE _tr_story_ids AS
SELECT story_id FROM article_dedupe WHERE article_id IN (SELECT article_id FROM _tr_dirty)
UNION
SELECT story_now FROM _tr_story_moved WHERE story_now IS NOT NULL
UNION
SELECT story_was FROM _tr_story_moved WHERE story_was IS NOT NULL;

DELETE FROM trend_story_members WHERE article_id IN (SELECT article_id FROM _tr_story_moved);

INSERT INTO trend_story_members
SELECT article_id, story_now FROM _tr_story_moved WHERE story_now IS NOT NULL;

DELETE FROM trend_stories WHERE story_id IN (SELECT story_id FROM _tr_story_ids);

INSERT INTO trend_stories
WITH members AS MATERIALIZED (
    SELECT article_id, story_id
    FROM article_dedupe
    WHERE story_id IN (SELECT story_id FROM _tr_story_ids)
)
SELECT
    v.story_id,
    min(coalesce(d.published_at, d.fetched_at))                       AS first_seen,
    max(coalesce(d.published_at, d.fetched_at))                       AS last_seen,
    arg_min(d.title, (coalesce(d.published_at, d.fetched_at), d.article_id)) AS headline,
    count(*)                                                          AS n_articles,
    count(DISTINCT d.source)                                          AS n_sources,
    list(DISTINCT coalesce(t.language, d.language) ORDER BY coalesce(t.language, d.language))
                                                                      AS languages
FROM members AS v
JOIN documents AS d USING (article_id)
LEFT JOIN article_tags AS t USING (article_id)
GROUP BY v.story_id;
