-- The verdict of article $id relative to the first-seen article of its group.
UPDATE article_dedupe SET method = $method, similarity = $similarity WHERE article_id = $id;
