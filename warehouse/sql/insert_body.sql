INSERT INTO bodies (sha1, encoding, size, body)
VALUES ($sha1, $encoding, $size, $body)
ON CONFLICT (sha1) DO NOTHING;
