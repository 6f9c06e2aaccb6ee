-- Whether the table $table exists in the warehouse (temporary tables do not count).
SELECT count(*) > 0 FROM duckdb_tables() WHERE table_name = $table AND NOT temporary;
