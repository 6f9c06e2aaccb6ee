-- Story features of articles: organisations (by mentions), accelerators and figures.
SELECT
    d.article_id,
    d.title,
    coalesce(d.published_at, d.fetched_at) AS seen_at,
    (SELECT list(m.name ORDER BY m.count DESC, m.name) FROM tag_mentions AS m
       WHERE m.article_id = d.article_id AND m.kind = 'org') AS orgs,
    (SELECT list(m.name ORDER BY m.name) FROM tag_mentions AS m
       WHERE m.article_id = d.article_id AND m.kind = 'chip') AS chips,
    (SELECT list(f.value ORDER BY f.seq) FROM tag_facts AS f
       WHERE f.article_id = d.article_id AND f.kind = 'power' AND NOT f.repeated) AS power,
    (SELECT list(f.amount_usd ORDER BY f.seq) FROM tag_facts AS f
       WHERE f.article_id = d.article_id AND f.kind = 'money' AND NOT f.repeated
         AND f.amount_usd IS NOT NULL) AS money
FROM documents AS d
WHERE d.article_id IN (SELECT unnest($ids));
