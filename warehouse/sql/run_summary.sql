-- Per-source counts of one run, from its fetch records.
SELECT
    source,
    count(*) FILTER (WHERE outcome <> 'not_modified')          AS pages_fetched,
    count(*) FILTER (WHERE outcome = 'not_modified')           AS not_modified,
    count(*) FILTER (WHERE outcome IN ('stored', 'updated'))   AS articles_new,
    count(*) FILTER (WHERE outcome = 'known')                  AS already_known,
    count(*) FILTER (WHERE outcome = 'outside_window')         AS outside_window,
    count(*) FILTER (WHERE outcome IN (
        'http_error', 'network_error', 'not_html', 'too_large', 'parse_error', 'no_content'
    ))                                                         AS errors
FROM fetches
WHERE run_id = ?
GROUP BY source
ORDER BY source;
