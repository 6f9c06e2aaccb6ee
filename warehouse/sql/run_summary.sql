-- Per-source counts of one run, from its fetch records.
SELECT
    f.source,
    count(*) FILTER (WHERE f.outcome <> 'not_modified')          AS pages_fetched,
    count(*) FILTER (WHERE f.outcome = 'not_modified')           AS not_modified,
    count(*) FILTER (WHERE f.outcome IN ('stored', 'updated'))   AS articles_new,
    count(*) FILTER (WHERE f.outcome = 'stored' AND v.duplicate_of IS NOT NULL) AS duplicates,
    count(*) FILTER (WHERE f.outcome = 'known')                  AS already_known,
    count(*) FILTER (WHERE f.outcome = 'outside_window')         AS outside_window,
    count(*) FILTER (WHERE f.outcome IN (
        'http_error', 'network_error', 'not_html', 'too_large', 'parse_error', 'no_content'
    ))                                                           AS errors
FROM fetches AS f
LEFT JOIN documents AS d ON d.fetch_id = f.fetch_id
LEFT JOIN article_dedupe AS v ON v.article_id = d.article_id
WHERE f.run_id = ?
GROUP BY f.source
ORDER BY f.source;
