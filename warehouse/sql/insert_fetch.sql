INSERT INTO fetches (
    fetch_id, run_id, source, kind, url, final_url, status, content_type,
    fetched_at, outcome, error, body_sha1
)
VALUES (
    $fetch_id, $run_id, $source, $kind, $url, $final_url, $status, $content_type,
    $fetched_at, $outcome, $error, $body_sha1
)
ON CONFLICT (fetch_id) DO NOTHING;
