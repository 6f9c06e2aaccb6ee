-- One row per (band, bucket) of each eligible article of the batch.
INSERT INTO _dd_buckets
SELECT i::SMALLINT, ('0x' || substring(buckets, i * 16 + 1, 16))::UBIGINT, article_id
FROM (SELECT article_id, buckets, unnest(range(length(buckets) // 16)) AS i
      FROM _dd_batch WHERE eligible);
