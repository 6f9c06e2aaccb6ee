-- The demo's first trend table: the organisations most written about, with the gigawatts and
-- dollars announced in the sentences that name them.
WITH org_articles AS (
    SELECT m.name AS organisation, a.article_id, a.source, a.language
    FROM mentions AS m
    JOIN articles AS a USING (article_id)
    WHERE m.kind = 'org' AND a.relevant
),
org_facts AS (
    SELECT org AS organisation,
           sum(f.value) FILTER (WHERE f.kind = 'power')           AS gw,
           sum(f.amount_usd) FILTER (WHERE f.kind = 'money') / 1e9 AS usd_bn
    FROM facts AS f, unnest(f.orgs) AS t(org)
    WHERE NOT f.repeated
    GROUP BY ALL
)
SELECT
    o.organisation,
    count(DISTINCT o.article_id)                                  AS articles,
    count(DISTINCT o.source)                                      AS outlets,
    string_agg(DISTINCT o.language, ', ' ORDER BY o.language)     AS languages,
    round(any_value(f.gw), 1)                                     AS gw_mentioned,
    round(any_value(f.usd_bn), 1)                                 AS usd_bn_mentioned
FROM org_articles AS o
LEFT JOIN org_facts AS f USING (organisation)
GROUP BY o.organisation
ORDER BY articles DESC, o.organisation
LIMIT 10;
