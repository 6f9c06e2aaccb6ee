-- What re-extracting stored articles needs: the raw body (zlib) and its encoding, the page URL
-- it was fetched from, and the values stored now (to tell what changed).
SELECT d.article_id, d.fetch_id, d.body_sha1, d.fetched_at, b.body, b.encoding,
       coalesce(f.final_url, f.url) AS page_url, d.title, d.published_at, d.language, d.text,
       d.author, d.site_name, d.description
FROM documents d
JOIN bodies b ON b.sha1 = d.body_sha1
JOIN fetches f ON f.fetch_id = d.fetch_id
WHERE list_contains($ids, d.article_id)
ORDER BY d.article_id;
