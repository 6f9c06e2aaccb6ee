-- What a refresh recomputed, from its temporary tables: articles, stories, weeks, months.
SELECT
    (SELECT count(DISTINCT article_id) FROM _tr_articles),
    (SELECT count(DISTINCT story_id) FROM _tr_stories),
    (SELECT count(DISTINCT week) FROM _tr_weeks),
    (SELECT count(DISTINCT month) FROM _tr_months);
