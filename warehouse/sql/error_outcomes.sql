-- The fetch outcomes that count as errors (migrations/0006_fetch_outcomes.sql).
SELECT outcome FROM fetch_outcomes WHERE is_error ORDER BY outcome;
