-- Rows of the files $files as compaction merges them (lake/merge_files.sql).
SELECT count(*) FROM (
    SELECT 1
    FROM read_parquet($files::VARCHAR[], hive_partitioning = false, union_by_name = true,
                      filename = true)
    QUALIFY filename = max(filename) OVER (PARTITION BY lake_batch)
);
