-- Re-extracted articles (a changed page with --refresh, or `gigawatch reextract`), column by
-- column (every parameter a list of one length, one entry per article_id).
UPDATE documents SET
    fetch_id = u.fetch_id, body_sha1 = u.body_sha1, title = u.title, author = u.author,
    published_at = u.published_at, language = u.language, site_name = u.site_name,
    description = u.description, text = u.text, fetched_at = u.fetched_at,
    extracted_at = u.extracted_at, extractor = u.extractor,
    extract_options = u.extract_options
FROM (
    SELECT
        unnest($article_id::BIGINT[])          AS article_id,
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
) AS u
WHERE documents.article_id = u.article_id;
