-- Every article, for a rebuild of all trend tables (after retag, restory or a change of the
-- trends SQL): the tables are emptied and the refresh statements recompute everything.
DELETE FROM trend_docs;
DELETE FROM trend_mentions;
DELETE FROM trend_weekly;
DELETE FROM trend_story_orgs;
DELETE FROM trend_cooccurrence;
DELETE FROM trend_deals;
DELETE FROM trend_story_members;
DELETE FROM trend_stories;

CREATE TEMP TABLE _tr_dirty AS
SELECT article_id FROM documents;
