-- Power (GW) and money (amount in its currency) figures the tagger found, repeats left out.
SELECT article_id, kind, value, currency
FROM tag_facts
WHERE kind IN ('power', 'money') AND NOT repeated
ORDER BY article_id, seq;
