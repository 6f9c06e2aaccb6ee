-- stories: articles about the same event, across outlets and languages, with duplicates folded.
--   story_id   : article_id of the story's first article
--   first_seen : earliest publication (or fetch) time of its articles; last_seen the latest
--   headline   : title of its earliest article
--   n_articles : articles in the story (reposts included); n_sources: distinct outlets
--   languages  : the languages it was told in
-- Read from the table trend_stories, kept by warehouse/sql/trends_stories.sql with every
-- batch (every folded article counts, duplicates and irrelevant articles included).
CREATE OR REPLACE VIEW stories AS
SELECT story_id, first_seen, last_seen, headline, n_articles, n_sources, languages
FROM trend_stories;
