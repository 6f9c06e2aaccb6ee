-- Add the batch's originals to the story index.
INSERT INTO story_features SELECT article_id, seen_at, features, title_words, lead FROM _dd_story;
INSERT INTO story_keys SELECT key, article_id, seen_at FROM _dd_keys;
