-- Write the relation $relation (a quoted identifier), which has its own month column, to the
-- folder $path, one Hive partition per month. Answers with the number of rows written.
COPY (SELECT * FROM query_table($relation))
TO $path (FORMAT parquet, PARTITION_BY (month), FILENAME_PATTERN 'data_{i}');
