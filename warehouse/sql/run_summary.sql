-- Per-source counts of one run, from its fetch records; errors are the outcomes marked
-- is_error in fetch_outcomes (migrations/0006_fetch_outcomes.sql).
SELECT
    f.source,
    count(*) FILTER (WHERE f.outcome <> 'not_modified')          AS pages_fetched,
    count(*) FILTER (WHERE f.outcome = 'not_modified')           AS not_modified,
    count(*) FILTER (WHERE f.outcome IN ('stored', 'updated'))   AS articles_new,
    count(*) FILTER (WHERE f.outcome = 'stored' AND v.duplicate_of IS NOT NULL) AS duplicates,
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
