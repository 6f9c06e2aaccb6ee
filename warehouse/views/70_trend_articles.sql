-- trend_articles: the articles that count in trends — relevant to AI infrastructure and not
-- a duplicate of an earlier article (duplicate_of IS NULL) — with their story and their UTC
-- day, ISO week (Monday) and month. Every trend view below reads this one.
--   article_id, source, language, title, url : as in `articles`
--   story_id     : the article's story (the article itself while it is not folded yet)
--   published_at : publication time, else fetch time
--   day, week, month : DATE in UTC (week = Monday of the ISO week)
-- It reads the tables behind `articles` directly, with inner joins, so that a filter on the
-- date (WHERE week >= ...) reaches the documents scan before any join: a quarter of a
-- 1M-article warehouse is read in tens of milliseconds.
CREATE OR REPLACE VIEW trend_articles AS
SELECT
    d.article_id,
    coalesce(v.story_id, d.article_id)                              AS story_id,
    d.source,
    coalesce(t.language, d.language)                                AS language,
    d.title,
    d.url,
    coalesce(d.published_at, d.fetched_at)                          AS published_at,
    -- UTC calendar fields by integer arithmetic on the epoch (no time zone lookups: fast)
    CAST(make_timestamp(epoch_us(coalesce(d.published_at, d.fetched_at))) AS DATE) AS day,
    CAST(date_trunc('week', make_timestamp(epoch_us(coalesce(d.published_at, d.fetched_at))))
         AS DATE)                                                   AS week,
    CAST(date_trunc('month', make_timestamp(epoch_us(coalesce(d.published_at, d.fetched_at))))
         AS DATE)                                                   AS month
FROM documents AS d
JOIN article_tags AS t ON t.article_id = d.article_id AND t.relevant
LEFT JOIN article_dedupe AS v ON v.article_id = d.article_id
WHERE v.duplicate_of IS NULL;
