-- articles: one row per extracted article (canonical URL).
CREATE OR REPLACE VIEW articles AS
SELECT
    d.article_id,
    d.url,
    d.source,
    d.title,
    d.author,
    d.published_at,
    d.language,
    d.text,
    d.fetched_at,
    d.site_name,
    d.description
FROM documents AS d;
