-- The refresh's temporary tables.
DROP TABLE IF EXISTS _tr_dirty;
DROP TABLE IF EXISTS _tr_articles;
DROP TABLE IF EXISTS _tr_stories;
DROP TABLE IF EXISTS _tr_weeks;
DROP TABLE IF EXISTS _tr_months;
DROP TABLE IF EXISTS _tr_story_moved;
DROP TABLE IF EXISTS _tr_story_ids;
