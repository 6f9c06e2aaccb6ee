-- A batch's new articles, column by column (every parameter a list of one length). An
-- article stored before is kept (a changed page goes through update_document.sql).
INSERT INTO documents (
    article_id, url, source, fetch_id, body_sha1, title, author, published_at, language,
    site_name, description, text, fetched_at, extracted_at, extractor,
    extract_options
)
SELECT
    article_id, url, source, fetch_id, body_sha1, title, author, published_at, language,
    site_name, description, text, fetched_at, extracted_at, extractor,
    extract_options
FROM (
    SELECT
        unnest($article_id::BIGINT[])          AS article_id,
        unnest($url::VARCHAR[])                AS url,
        unnest($source::VARCHAR[])             AS source,
        unnest($fetch_id::VARCHAR[])           AS fetch_id,
        unnest($body_sha1::VARCHAR[])          AS body_sha1,
        unnest($title::VARCHAR[])              AS title,
        unnest($author::VARCHAR[])             AS author,
        unnest($published_at::TIMESTAMPTZ[])   AS published_at,
        unnest($language::VARCHAR[])           AS language,
        unnest($site_name::VARCHAR[])          AS site_name,
        unnest($description::VARCHAR[])        AS description,
        unnest($text::VARCHAR[])               AS text,
        unnest($fetched_at::TIMESTAMPTZ[])     AS fetched_at,
        unnest($extracted_at::TIMESTAMPTZ[])   AS extracted_at,
        unnest($extractor::VARCHAR[])          AS extractor,
        unnest($extract_options::VARCHAR[])       AS extract_options
)
ON CONFLICT (article_id) DO NOTHING;
