INSERT INTO documents (
    article_id, url, source, fetch_id, body_sha1, title, author, published_at, language,
    site_name, description, text, fetched_at, extracted_at, extractor
)
VALUES (
    $article_id, $url, $source, $fetch_id, $body_sha1, $title, $author, $published_at, $language,
    $site_name, $description, $text, $fetched_at, $extracted_at, $extractor
)
ON CONFLICT (article_id) DO NOTHING;
