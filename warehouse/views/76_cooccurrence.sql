-- cooccurrence: pairs of organisations that appear in the same stories, per month.
--   month        : month of the story's first article (DATE, UTC; as first_seen in `stories`)
--   org_a, org_b : the two organisations, org_a < org_b alphabetically
--   stories      : stories naming both (in any of their relevant, non-duplicate articles)
-- Example: who appears with Nvidia most, all months together
--   SELECT CASE WHEN org_a = 'Nvidia' THEN org_b ELSE org_a END AS partner,
--          sum(stories) AS stories
--   FROM cooccurrence WHERE 'Nvidia' IN (org_a, org_b) GROUP BY ALL ORDER BY 2 DESC LIMIT 5;
CREATE OR REPLACE VIEW cooccurrence AS
WITH story_orgs AS (
    SELECT DISTINCT t.story_id, m.name
    FROM trend_articles AS t
    JOIN mentions AS m USING (article_id)
    WHERE m.kind = 'org'
)
SELECT
    CAST(date_trunc('month', make_timestamp(epoch_us(coalesce(d.published_at, d.fetched_at))))
         AS DATE)  AS month,
    a.name         AS org_a,
    b.name         AS org_b,
    count(*)       AS stories
FROM story_orgs AS a
JOIN story_orgs AS b ON a.story_id = b.story_id AND a.name < b.name
JOIN documents AS d ON d.article_id = a.story_id
GROUP BY ALL;
