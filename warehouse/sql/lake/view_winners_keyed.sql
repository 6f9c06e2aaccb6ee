-- One row per {key} of {table}: the one of the first batch folded that wrote it (two writers
-- that fetched or stored the same thing; a batch written again after a retry).
CREATE OR REPLACE VIEW lake.winners_{table} AS
SELECT * FROM lake.rows_{table}
QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY lake_seq) = 1;
