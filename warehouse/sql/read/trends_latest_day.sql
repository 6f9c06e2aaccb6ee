-- Day (UTC) of the latest article in the warehouse, capped at today. One row, one column.
SELECT utc_day(least(max(published_at), now())) FROM documents;
