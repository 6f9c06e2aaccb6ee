-- The rows of {table} in a batch's in-memory warehouse, with the batch's name ($batch).
SELECT *, $batch::VARCHAR AS lake_batch FROM {table};
