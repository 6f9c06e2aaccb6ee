-- DuckDB's memory_limit now (restory lowers it meanwhile, then restores it).
SELECT current_setting('memory_limit');
