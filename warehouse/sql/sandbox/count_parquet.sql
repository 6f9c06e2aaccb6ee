-- Rows of the Parquet file the sandbox has just written ($path: its temporary path).
SELECT count(*) FROM read_parquet($path);
