-- The only files the sandbox may touch besides the warehouse: the CLI's own Parquet output.
-- Set before external access is turned off ($paths: a list of paths).
SET allowed_paths = $paths;
