-- {table} before any folded batch wrote a file for it: no rows, the warehouse's columns
-- (read_parquet refuses a pattern that matches no file).
CREATE OR REPLACE VIEW lake.rows_{table} AS
SELECT *, NULL::VARCHAR AS lake_batch, NULL::VARCHAR AS lake_op, NULL::BIGINT AS lake_seq
FROM lake.base_{table};
