-- pages: one row per fetch, failures included.
CREATE OR REPLACE VIEW pages AS
SELECT
    url,
    source,
    status,
    content_type,
    fetched_at,
    outcome,
    error,
    kind,
    final_url,
    run_id,
    fetch_id
FROM fetches;
