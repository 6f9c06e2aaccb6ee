-- Every article's story, to count the articles whose story a batch changed.
SELECT article_id, story_id FROM article_dedupe;
