-- The demo's first trend table: articles per ISO week, outlets and languages.
SELECT
    strftime(date_trunc('week', published_at), '%G-W%V') AS week,
    count(*)                                            AS articles,
    count(DISTINCT source)                              AS outlets,
    string_agg(DISTINCT language, ', ' ORDER BY language) AS languages
FROM articles
WHERE published_at IS NOT NULL
GROUP BY ALL
ORDER BY week;
