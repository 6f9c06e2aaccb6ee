-- Story $old is now called $new (the article_id of its first article).
UPDATE article_dedupe SET story_id = $new WHERE story_id = $old;
