-- Rows of the Parquet file $path.
SELECT count(*) FROM read_parquet($path);
