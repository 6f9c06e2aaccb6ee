-- The story (and duplicate group) of each folded article (eval/score_signal.py).
SELECT article_id, story_id, duplicate_of
FROM article_dedupe;
