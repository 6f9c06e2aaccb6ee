-- Every row of the files $files (one day partition of one table), for compaction: the day is
-- in the folder name, not in the rows. A batch whose rows are in two of them (a compaction
-- stopped before it deleted the files it merged) is taken from one file only, the greatest
-- name, as the views read it (lake/view_rows.sql).
SELECT * EXCLUDE (filename)
FROM read_parquet($files::VARCHAR[], hive_partitioning = false, union_by_name = true,
                  filename = true)
QUALIFY filename = max(filename) OVER (PARTITION BY lake_batch);
