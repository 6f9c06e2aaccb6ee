-- Remove tags of articles that are no longer in documents (statements run one by one).
DELETE FROM tag_candidates WHERE article_id NOT IN (SELECT article_id FROM documents);
DELETE FROM tag_facts WHERE article_id NOT IN (SELECT article_id FROM documents);
DELETE FROM tag_mentions WHERE article_id NOT IN (SELECT article_id FROM documents);
DELETE FROM article_tags WHERE article_id NOT IN (SELECT article_id FROM documents);
