-- Per-source counts of one run, from its fetch records.
SELECT
    source,
    count(*)                                                   AS pages_fetched,
    count(*) FILTER (WHERE kind = 'article')                   AS article_pages,
    count(*) FILTER (WHERE outcome = 'stored')                 AS articles_stored,
    count(*) FILTER (WHERE outcome = 'known')                  AS already_known,
    count(*) FILTER (WHERE outcome IN (
        'http_error', 'network_error', 'not_html', 'too_large', 'parse_error', 'no_content'
    ))                                                         AS errors
FROM fetches
WHERE run_id = ?
GROUP BY source
ORDER BY source;
