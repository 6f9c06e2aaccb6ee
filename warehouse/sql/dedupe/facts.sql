-- Figures stated by the articles in $ids, in order of appearance, repeats left out.
SELECT article_id, kind, value, amount_usd
FROM tag_facts
WHERE article_id IN (SELECT unnest($ids::BIGINT[])) AND NOT repeated
ORDER BY article_id, seq;
