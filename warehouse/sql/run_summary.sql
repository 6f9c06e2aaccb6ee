-- Per-source counts of one run, from its fetch records; errors are the outcomes marked
-- is_error in fetch_outcomes (migrations/0006_fetch_outcomes.sql).
-- duplicates: the run's new articles that the warehouse recorded as copies of another
-- article (article_dedupe.duplicate_of), plus those that became the original of a copy stored
-- before this run (an earlier-dated copy takes the "first seen" place, and the older article
-- then points at it). So each duplicate in article_dedupe is counted by the run that made it.
WITH stored AS (
    SELECT DISTINCT d.article_id
    FROM fetches AS f
    JOIN documents AS d ON d.fetch_id = f.fetch_id
    WHERE f.run_id = $run_id AND f.outcome = 'stored'
),
older AS (  -- articles stored before this run began
    SELECT d.article_id
    FROM documents AS d
    WHERE d.article_id NOT IN (SELECT article_id FROM stored)
      AND d.fetched_at < (SELECT min(fetched_at) FROM fetches WHERE run_id = $run_id)
),
originals_of_older AS (
    SELECT DISTINCT w.duplicate_of AS article_id
    FROM article_dedupe AS w
    WHERE w.duplicate_of IS NOT NULL AND w.article_id IN (SELECT article_id FROM older)
)
SELECT
    f.source,
    count(*) FILTER (WHERE f.outcome <> 'not_modified')          AS pages_fetched,
    count(*) FILTER (WHERE f.outcome = 'not_modified')           AS not_modified,
    count(*) FILTER (WHERE f.outcome IN ('stored', 'updated'))   AS articles_new,
    count(*) FILTER (WHERE f.outcome = 'stored' AND (v.duplicate_of IS NOT NULL
                     OR d.article_id IN (SELECT article_id FROM originals_of_older))) AS duplicates,
    count(*) FILTER (WHERE f.outcome = 'known')                  AS already_known,
    count(*) FILTER (WHERE f.outcome = 'outside_window')         AS outside_window,
    count(*) FILTER (WHERE o.is_error)                           AS errors
FROM fetches AS f
LEFT JOIN fetch_outcomes AS o ON o.outcome = f.outcome
LEFT JOIN documents AS d ON d.fetch_id = f.fetch_id
LEFT JOIN article_dedupe AS v ON v.article_id = d.article_id
WHERE f.run_id = $run_id
GROUP BY f.source
ORDER BY f.source;
