-- trend_articles: the articles that count in trends — relevant to AI infrastructure and not
-- a duplicate of an earlier article (duplicate_of IS NULL) — with their story and their UTC
-- day, ISO week (Monday) and month. Every trend view below reads this one.
--   story_id     : the article's story (the article itself while it is not folded yet)
--   published_at : publication time, else fetch time
--   day, week, month : DATE in UTC (week = Monday of the ISO week)
CREATE OR REPLACE VIEW trend_articles AS
SELECT
    a.article_id,
    coalesce(a.story_id, a.article_id)                              AS story_id,
    a.source,
    a.language,
    a.title,
    a.url,
    coalesce(a.published_at, a.fetched_at)                          AS published_at,
    -- UTC calendar fields by integer arithmetic on the epoch (no time zone lookups: fast)
    CAST(make_timestamp(epoch_us(coalesce(a.published_at, a.fetched_at))) AS DATE) AS day,
    CAST(date_trunc('week', make_timestamp(epoch_us(coalesce(a.published_at, a.fetched_at))))
         AS DATE)                                                   AS week,
    CAST(date_trunc('month', make_timestamp(epoch_us(coalesce(a.published_at, a.fetched_at))))
         AS DATE)                                                   AS month
FROM articles AS a
WHERE a.relevant AND a.duplicate_of IS NULL;
