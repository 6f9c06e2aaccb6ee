INSERT OR REPLACE INTO http_validators (url, source, etag, last_modified, updated_at)
VALUES ($url, $source, $etag, $last_modified, now());
