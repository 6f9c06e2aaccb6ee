UPDATE documents SET
    fetch_id = ?, body_sha1 = ?, title = ?, author = ?, published_at = ?, language = ?,
    site_name = ?, description = ?, text = ?, fetched_at = ?, extracted_at = ?, extractor = ?
WHERE article_id = ?;
