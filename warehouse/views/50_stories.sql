-- stories: articles about the same event, across outlets and languages, with duplicates folded.
--   story_id   : article_id of the story's first article
--   first_seen : earliest publication (or fetch) time of its articles; last_seen the latest
--   headline   : title of its earliest article
--   n_articles : articles in the story (reposts included); n_sources: distinct outlets
--   languages  : the languages it was told in
CREATE OR REPLACE VIEW stories AS
SELECT
    v.story_id,
    min(coalesce(d.published_at, d.fetched_at))                       AS first_seen,
    max(coalesce(d.published_at, d.fetched_at))                       AS last_seen,
    arg_min(d.title, (coalesce(d.published_at, d.fetched_at), d.article_id)) AS headline,
    count(*)                                                          AS n_articles,
    count(DISTINCT d.source)                                          AS n_sources,
    list(DISTINCT coalesce(t.language, d.language) ORDER BY coalesce(t.language, d.language))
                                                                      AS languages
FROM article_dedupe AS v
JOIN documents AS d USING (article_id)
LEFT JOIN article_tags AS t USING (article_id)
GROUP BY v.story_id;
