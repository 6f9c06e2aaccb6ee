-- A batch's fetch records, column by column (every parameter a list of one length). Loading a
-- run twice adds nothing (fetch_id is sha1(run_id | kind | url)).
INSERT INTO fetches (
    fetch_id, run_id, source, kind, url, final_url, status, content_type,
    fetched_at, outcome, error, body_sha1
)
SELECT
    fetch_id, run_id, source, kind, url, final_url, status, content_type,
    fetched_at, outcome, error, body_sha1
FROM (
    SELECT
        unnest($fetch_id::VARCHAR[])         AS fetch_id,
        unnest($run_id::VARCHAR[])           AS run_id,
        unnest($source::VARCHAR[])           AS source,
        unnest($kind::VARCHAR[])             AS kind,
        unnest($url::VARCHAR[])              AS url,
        unnest($final_url::VARCHAR[])        AS final_url,
        unnest($status::INTEGER[])           AS status,
        unnest($content_type::VARCHAR[])     AS content_type,
        unnest($fetched_at::TIMESTAMPTZ[])   AS fetched_at,
        unnest($outcome::VARCHAR[])          AS outcome,
        unnest($error::VARCHAR[])            AS error,
        unnest($body_sha1::VARCHAR[])        AS body_sha1
)
ON CONFLICT (fetch_id) DO NOTHING;
