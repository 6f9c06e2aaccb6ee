-- The base table {table} of a lake catalogue: the same name, columns and order as in a
-- single-file warehouse (lake.base_{table}, empty), rows from the lake. Every view of
-- warehouse/views reads it unchanged.
CREATE OR REPLACE VIEW main.{table} AS
SELECT * FROM lake.base_{table}
UNION ALL BY NAME
SELECT COLUMNS(lambda c: NOT starts_with(c, 'lake_')) FROM lake.winners_{table};
