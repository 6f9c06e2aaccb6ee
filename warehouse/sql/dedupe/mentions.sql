-- Organisations, accelerators and places named by the articles in $ids.
SELECT article_id, kind, name, count
FROM tag_mentions
WHERE article_id IN (SELECT unnest($ids::BIGINT[])) AND kind IN ('org', 'chip', 'place');
