INSERT INTO documents (
    article_id, url, source, fetch_id, body_sha1, title, author, published_at, language,
    site_name, description, text, fetched_at, extracted_at, extractor,
    extract_options
)
VALUES (
    $article_id, $url, $source, $fetch_id, $body_sha1, $title, $author, $published_at, $language,
    $site_name, $description, $text, $fetched_at, $extracted_at, $extractor,
    $extract_options
)
ON CONFLICT (article_id) DO NOTHING;
