-- A story as a watch sees it (gigawatch/watches/story.py Snapshot), for the stories $ids
-- (BIGINT[]), or every story when $all. Only the public views: stories, articles, mentions,
-- deals. Names are canonical (the taxonomy's), sorted; figures are the story's (deals).
WITH picked AS (
    SELECT * FROM stories WHERE $all OR list_contains($ids::BIGINT[], story_id)
),
arts AS (
    SELECT a.article_id, a.story_id, a.source, a.relevance
    FROM articles AS a JOIN picked AS p USING (story_id)
),
named AS (
    SELECT ar.story_id,
           list(DISTINCT m.name ORDER BY m.name) FILTER (WHERE m.kind = 'org')   AS organisations,
           list(DISTINCT m.name ORDER BY m.name) FILTER (WHERE m.kind = 'chip')  AS accelerators,
           list(DISTINCT m.name ORDER BY m.name) FILTER (WHERE m.kind = 'topic') AS topics,
           list(DISTINCT m.name ORDER BY m.name) FILTER (WHERE m.kind = 'place') AS places
    FROM arts AS ar JOIN mentions AS m USING (article_id)
    GROUP BY ar.story_id
),
told AS (
    SELECT story_id, list(DISTINCT source ORDER BY source) AS sources, max(relevance) AS relevance
    FROM arts GROUP BY story_id
)
SELECT
    p.story_id,
    p.headline,
    first_article.url,
    p.first_seen,
    p.last_seen,
    p.n_articles,
    p.n_sources,
    t.sources,
    p.languages,
    n.organisations,
    n.accelerators,
    n.topics,
    n.places,
    t.relevance,
    pw.value       AS gw,
    mo.amount_usd  AS usd,
    mo.value       AS money,
    mo.currency
FROM picked AS p
JOIN told AS t USING (story_id)
LEFT JOIN named AS n USING (story_id)
LEFT JOIN articles AS first_article ON first_article.article_id = p.story_id
LEFT JOIN deals AS pw ON pw.story_id = p.story_id AND pw.kind = 'power'
LEFT JOIN deals AS mo ON mo.story_id = p.story_id AND mo.kind = 'money'
ORDER BY p.first_seen, p.story_id;
