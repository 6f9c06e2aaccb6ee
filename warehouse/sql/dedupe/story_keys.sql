-- One row per story key of each original of the batch.
INSERT INTO _dd_keys
SELECT ('0x' || substring(keys, i * 16 + 1, 16))::UBIGINT, article_id, seen_at
FROM (SELECT article_id, seen_at, keys, unnest(range(length(keys) // 16)) AS i FROM _dd_story);
