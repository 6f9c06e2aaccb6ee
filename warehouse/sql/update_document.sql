UPDATE documents SET
    fetch_id = $fetch_id, body_sha1 = $body_sha1, title = $title, author = $author,
    published_at = $published_at, language = $language, site_name = $site_name,
    description = $description, text = $text, fetched_at = $fetched_at,
    extracted_at = $extracted_at, extractor = $extractor,
    extract_options = $extract_options
WHERE article_id = $article_id;
