-- Rows in the base tables of a warehouse about to become a lake catalogue (it must be empty).
SELECT (SELECT count(*) FROM fetches) + (SELECT count(*) FROM documents);
