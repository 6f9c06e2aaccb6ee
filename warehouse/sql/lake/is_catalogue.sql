-- Whether this warehouse is the catalogue of a Parquet lake (warehouse/lake_catalog.py).
SELECT count(*) > 0
FROM duckdb_tables()
WHERE schema_name = 'lake' AND table_name = 'settings' AND NOT temporary;
