-- Before pending migrations run on a lake catalogue: {table} becomes an (empty) table again,
-- so that a migration may alter it as it would in a single-file warehouse.
DROP VIEW IF EXISTS main.{table};
CREATE TABLE main.{table} AS SELECT * FROM lake.base_{table};
