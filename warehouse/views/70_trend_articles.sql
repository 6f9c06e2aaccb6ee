-- trend_articles: the articles that count in trends — relevant to AI infrastructure and not
-- a duplicate of an earlier article (duplicate_of IS NULL) — with their story and their UTC
-- day, ISO week (Monday) and month. Every trend view below is computed from these articles.
--   article_id, source, language, title, url : as in `articles`
--   story_id     : the article's story (the article itself while it is not folded yet)
--   published_at : publication time, else fetch time
--   day, week, month : DATE in UTC (week = Monday of the ISO week)
-- It reads the table trend_docs, kept up to date by every ingest in the same transaction as
-- the articles (warehouse/trend_store.py), like the tables behind the other trend views.
CREATE OR REPLACE VIEW trend_articles AS
SELECT article_id, story_id, source, language, title, url, published_at, day, week, month
FROM trend_docs;
