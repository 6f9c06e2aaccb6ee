-- The duplicate group of $old joins the group of $new (published before it) and its story
-- $story: its articles point to $new, and $old leaves the story index (statements one by one).
UPDATE article_dedupe SET story_id = $story WHERE article_id = $old OR duplicate_of = $old;
UPDATE article_dedupe SET duplicate_of = $new WHERE duplicate_of = $old;
UPDATE article_dedupe SET duplicate_of = $new, story_score = NULL WHERE article_id = $old;
DELETE FROM story_features WHERE article_id = $old;
DELETE FROM story_keys WHERE article_id = $old;
