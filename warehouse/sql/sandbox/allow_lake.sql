-- On the catalogue of a Parquet lake: the lake's folder (or s3://bucket/prefix/) is the one
-- directory the sandbox may read besides the warehouse, so that the base tables (views over
-- its files) answer; nothing outside it. Set before external access is turned off ($dirs).
SET allowed_directories = $dirs;
