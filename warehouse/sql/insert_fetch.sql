INSERT INTO fetches (
    fetch_id, run_id, source, kind, url, final_url, status, content_type,
    fetched_at, outcome, error, body_sha1
)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (fetch_id) DO NOTHING;
