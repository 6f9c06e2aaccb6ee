-- Remove the tags of the articles in $ids (statements run one by one).
DELETE FROM tag_candidates WHERE article_id IN (SELECT unnest($ids::BIGINT[]));
DELETE FROM tag_facts WHERE article_id IN (SELECT unnest($ids::BIGINT[]));
DELETE FROM tag_mentions WHERE article_id IN (SELECT unnest($ids::BIGINT[]));
DELETE FROM article_tags WHERE article_id IN (SELECT unnest($ids::BIGINT[]));
