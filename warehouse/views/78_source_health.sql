-- source_health: one row per source, so that a dead feed shows.
--   The reference time is the latest fetch in the warehouse (the last crawl), not now().
--   status       : stale (not fetched in the 7 days before the last crawl) | dead (fetched, but
--                  no fetch succeeded in those 7 days) | failing (error rate >= 50 %) |
--                  degraded (some errors) | quiet (no article published in the last 30 days of
--                  news) | ok
--   last_fetch, last_success : latest fetch, latest fetch that worked (any kind of page)
--   fetches_7d, errors_7d, error_rate : fetches, failed fetches (the outcomes marked is_error
--                  in fetch_outcomes: http_error, network_error, not_html, too_large,
--                  parse_error, no_content) and their share, last 7 days
--   last_error   : the latest error message
--   articles     : articles stored from it; last_published: its latest article's date
--   articles_30d, articles_per_day : articles published in the 30 days up to the latest
--                  article in the warehouse, and per day
-- Example: SELECT source, status, last_success, error_rate, articles_per_day FROM source_health;
CREATE OR REPLACE VIEW source_health AS
WITH ref AS (
    SELECT
        (SELECT max(fetched_at) FROM fetches)                                     AS crawl,
        (SELECT least(max(published_at), now()) FROM documents)                   AS news
),
fetch_stats AS (
    SELECT
        f.source,
        max(f.fetched_at)                                                         AS last_fetch,
        max(f.fetched_at) FILTER (WHERE f.outcome IN
            ('ok', 'stored', 'known', 'updated', 'not_modified', 'outside_window'))
                                                                                  AS last_success,
        count(*) FILTER (WHERE f.fetched_at > ref.crawl - INTERVAL 7 DAY)         AS fetches_7d,
        count(*) FILTER (WHERE f.fetched_at > ref.crawl - INTERVAL 7 DAY AND o.is_error)
                                                                                  AS errors_7d,
        count(*) FILTER (WHERE f.fetched_at > ref.crawl - INTERVAL 7 DAY AND f.outcome IN
            ('ok', 'stored', 'known', 'updated', 'not_modified', 'outside_window'))
                                                                                  AS successes_7d,
        arg_max(f.error, f.fetched_at) FILTER (WHERE o.is_error)                  AS last_error
    FROM fetches AS f
    LEFT JOIN fetch_outcomes AS o ON o.outcome = f.outcome
    CROSS JOIN ref
    GROUP BY f.source
),
article_stats AS (
    SELECT
        d.source,
        count(*)                                                                  AS articles,
        max(d.published_at)                                                       AS last_published,
        count(*) FILTER (WHERE d.published_at > ref.news - INTERVAL 30 DAY
                           AND d.published_at <= ref.news)                        AS articles_30d
    FROM documents AS d
    CROSS JOIN ref
    GROUP BY d.source
)
SELECT
    f.source,
    CASE
        WHEN f.fetches_7d = 0 THEN 'stale'
        WHEN f.successes_7d = 0 THEN 'dead'
        WHEN f.errors_7d >= 0.5 * f.fetches_7d THEN 'failing'
        WHEN f.errors_7d > 0 THEN 'degraded'
        WHEN coalesce(a.articles_30d, 0) = 0 THEN 'quiet'
        ELSE 'ok'
    END                                                                           AS status,
    f.last_fetch,
    f.last_success,
    f.fetches_7d,
    f.errors_7d,
    round(f.errors_7d / nullif(f.fetches_7d, 0), 3)                               AS error_rate,
    f.last_error,
    coalesce(a.articles, 0)                                                       AS articles,
    a.last_published,
    coalesce(a.articles_30d, 0)                                                   AS articles_30d,
    round(coalesce(a.articles_30d, 0) / 30.0, 2)                                  AS articles_per_day
FROM fetch_stats AS f
LEFT JOIN article_stats AS a USING (source);
