-- The outcomes a fetch record can have (fetches.outcome, pages.outcome), as data: which ones
-- count as errors (run summaries, source_health, the ingest's error count) and what each means.
-- A seed table, like dbt's seeds: written here once, read by warehouse/sql/run_summary.sql,
-- warehouse/views/78_source_health.sql and warehouse/load.py. An outcome missing here is not
-- an error. Example: SELECT outcome FROM fetch_outcomes WHERE is_error ORDER BY outcome;
CREATE TABLE IF NOT EXISTS fetch_outcomes (
    outcome   VARCHAR PRIMARY KEY,
    is_error  BOOLEAN NOT NULL,
    meaning   VARCHAR NOT NULL
);

INSERT INTO fetch_outcomes VALUES
    ('ok', false, 'feed, sitemap or listing read (a sitemap read in part too: problem in error)'),
    ('stored', false, 'new article'),
    ('known', false, 'article already stored under this canonical URL'),
    ('updated', false, 'known article re-extracted by --refresh'),
    ('not_modified', false, '304 to a conditional request'),
    ('outside_window', false, 'backfill: dated outside the window, or undated'),
    ('http_error', true, 'HTTP error status after the retries, a redirect loop or too many '
        || 'redirects, or a Retry-After longer than max_retry_after'),
    ('network_error', true, 'dead host, refused connection, download_timeout reached'),
    ('not_html', true, 'not an HTML content type, or binary data served as HTML'),
    ('too_large', true, 'over max_page_bytes: announced, grown past it, or once decompressed'),
    ('parse_error', true, 'feed or sitemap malformed or unreadable'),
    ('no_content', true, 'no article text found: an empty page, or under 200 characters of text '
        || '(outside links)'),
    ('blocked_by_robots', false, 'forbidden by robots.txt, not fetched'),
    ('off_site_redirect', false, 'a redirect out of the source''s allowed_domains, not followed'),
    ('fetched', false, 'the crawler''s record of an article page before extraction; the load '
        || 'replaces it by stored, known, updated, outside_window or no_content');
