-- cooccurrence: pairs of organisations that appear in the same stories, per month.
--   month        : month of the story's first article (DATE, UTC; as first_seen in `stories`)
--   org_a, org_b : the two organisations, org_a < org_b alphabetically
--   stories      : stories naming both (in any of their relevant, non-duplicate articles)
-- Example: who appears with Nvidia most, all months together
--   SELECT CASE WHEN org_a = 'Nvidia' THEN org_b ELSE org_a END AS partner,
--          sum(stories) AS stories
--   FROM cooccurrence WHERE 'Nvidia' IN (org_a, org_b) GROUP BY ALL ORDER BY 2 DESC LIMIT 5;
-- Read from the table trend_cooccurrence (warehouse/sql/trends_cooccurrence.sql).
CREATE OR REPLACE VIEW cooccurrence AS
SELECT month, org_a, org_b, stories
FROM trend_cooccurrence;
