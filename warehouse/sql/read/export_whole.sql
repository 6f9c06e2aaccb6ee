-- Write the relation $relation (a quoted identifier) to the Parquet file $path. Answers with
-- the number of rows written.
COPY (SELECT * FROM query_table($relation)) TO $path (FORMAT parquet);
