-- The rows of {table} in the lake's files that belong to a batch this catalogue folded, with
-- the batch's place in the fold order (lake_seq). A batch's rows are read from one file only:
-- the one with the greatest name, so that while `gigawatch lake compact` replaces a day's files
-- by one ('~compact-...' sorts after every batch name), no row is seen twice. `day` is the Hive
-- partition of the file ({glob}: every Parquet file of the table).
CREATE OR REPLACE VIEW lake.rows_{table} AS
SELECT r.* EXCLUDE (filename, day), b.seq AS lake_seq
FROM read_parquet('{glob}', hive_partitioning = true, union_by_name = true, filename = true) AS r
JOIN lake.batches AS b ON b.batch = r.lake_batch
QUALIFY r.filename = max(r.filename) OVER (PARTITION BY r.lake_batch);
