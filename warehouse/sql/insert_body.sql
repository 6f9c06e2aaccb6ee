-- A batch's raw bodies, column by column ($sha1, $encoding, $size, $body are lists of one
-- length): one statement per batch instead of one per row. A body stored before is kept.
INSERT INTO bodies (sha1, encoding, size, body)
SELECT sha1, encoding, size, body
FROM (
    SELECT
        unnest($sha1::VARCHAR[])     AS sha1,
        unnest($encoding::VARCHAR[]) AS encoding,
        unnest($size::INTEGER[])     AS size,
        unnest($body::BLOB[])        AS body
)
ON CONFLICT (sha1) DO NOTHING;
