-- Turn the base table {table} of a new catalogue into an empty table of the same columns in
-- the schema `lake` (the views over the Parquet files take their columns and order from it),
-- then drop it: `main.{table}` becomes a view (lake/view_base.sql). Statements run in order.
CREATE OR REPLACE TABLE lake.base_{table} AS SELECT * FROM main.{table} LIMIT 0;
DROP TABLE main.{table};
