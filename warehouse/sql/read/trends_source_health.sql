-- Source health, the worst first (dead, stale, failing, degraded, quiet, ok), then by name.
SELECT
    source, status, last_success, error_rate, errors_7d, fetches_7d, articles,
    articles_per_day, last_published, last_error
FROM source_health
ORDER BY
    CASE status
        WHEN 'dead' THEN 0 WHEN 'stale' THEN 1 WHEN 'failing' THEN 2
        WHEN 'degraded' THEN 3 WHEN 'quiet' THEN 4 ELSE 5
    END,
    source;
