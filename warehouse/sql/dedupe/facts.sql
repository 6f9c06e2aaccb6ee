-- Figures stated by the articles in $ids, in order of appearance, repeats left out, with
-- where each starts in the text (a figure of the lead starts before its end).
SELECT article_id, kind, value, amount_usd, span_start
FROM tag_facts
WHERE article_id IN (SELECT unnest($ids::BIGINT[])) AND NOT repeated
ORDER BY article_id, seq;
