INSERT INTO bodies (sha1, encoding, size, body)
VALUES (?, ?, ?, ?)
ON CONFLICT (sha1) DO NOTHING;
