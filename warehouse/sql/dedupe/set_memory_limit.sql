-- DuckDB's memory_limit while restory runs ($limit: '1GB', '512MiB'), and back afterwards.
SET memory_limit = $limit;
