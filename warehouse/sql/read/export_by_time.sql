-- Write the relation $relation (a quoted identifier) to the folder $path, one Hive partition
-- per UTC month ('YYYY-MM') of its time column $column. Answers with the rows written.
COPY (
    SELECT *, utc_month_key(COLUMNS(lambda c: c = $column)) AS month
    FROM query_table($relation)
)
TO $path (FORMAT parquet, PARTITION_BY (month), FILENAME_PATTERN 'data_{i}');
