-- The ledger rows (trend_deals) of the stories in _tr_stories. Each story counts once per
-- kind (power, money), with one figure: the one cited by the most of its articles; among
-- equals, the one attributed to an organisation in its sentence, then the one told first (the
-- lede), then the largest. Only counted articles (trend_docs) and facts not repeated within
-- their article count. The other values of the same kind its articles cite are kept beside
-- it (other_values), and a figure is `disputed` when an article of the story cites a value of
-- that kind but not the chosen one (for money: nor the same amount in another currency, within
-- 10 % in US dollars). Column meanings: warehouse/views/73_deals.sql.
DELETE FROM trend_deals WHERE story_id IN (SELECT story_id FROM _tr_stories);

INSERT INTO trend_deals
WITH ta AS MATERIALIZED (
    SELECT td.article_id, td.story_id, td.source, td.language, td.published_at
    FROM (SELECT DISTINCT story_id FROM _tr_stories) AS s
    JOIN trend_docs AS td ON td.story_id = s.story_id
),
cited AS (
    SELECT
        t.story_id, t.article_id, t.source, t.published_at, f.kind, f.seq, f.value,
        coalesce(f.currency, '') AS cur,
        f.value_low, f.unit, f.amount_usd, f.qualifier, f.sentence, f.orgs
    FROM tag_facts AS f
    JOIN ta AS t USING (article_id)
    WHERE f.kind IN ('power', 'money') AND NOT f.repeated
),
figures AS (
    -- one row per distinct figure of a story; `NOT repeated` leaves one row per article
    SELECT
        story_id, kind, value, cur,
        count(*)                                            AS citations,
        bool_or(len(orgs) > 0)                              AS attributed,
        avg(seq)                                            AS position,
        flatten(list(orgs))                                 AS named,
        list_sort(list_distinct(list(source)))              AS sources,
        arg_min({value_low: value_low, unit: unit, amount_usd: amount_usd,
                 qualifier: qualifier, sentence: sentence}, (published_at, seq)) AS first
    FROM cited
    GROUP BY story_id, kind, value, cur
),
best AS (
    SELECT
        story_id, kind,
        arg_max({value: value, cur: cur, citations: citations, named: named, first: first,
                 sources: sources},
                (citations, attributed, -position, value))  AS b
    FROM figures
    GROUP BY story_id, kind
),
agreement AS (
    -- per article and kind: does it cite the chosen figure (money: or the same amount)?
    SELECT
        c.story_id, c.kind, c.article_id,
        bool_or((c.value = b.b.value AND c.cur = b.b.cur)
                OR (c.kind = 'money' AND c.amount_usd IS NOT NULL
                    AND b.b.first.amount_usd IS NOT NULL
                    AND abs(c.amount_usd - b.b.first.amount_usd)
                        <= 0.1 * b.b.first.amount_usd))        AS agrees
    FROM cited AS c
    JOIN best AS b USING (story_id, kind)
    GROUP BY ALL
),
others AS (
    -- the story's other values of the kind; `instead`: cited by an article that does not cite
    -- the chosen figure
    SELECT
        f.story_id, f.kind,
        list({value: f.value, currency: nullif(f.cur, ''), amount_usd: f.first.amount_usd,
              citations: f.citations, sources: f.sources, instead: i.instead}
             ORDER BY f.citations DESC, f.value DESC, f.cur)  AS other_values
    FROM figures AS f
    JOIN best AS b USING (story_id, kind)
    JOIN (
        SELECT c.story_id, c.kind, c.value, c.cur, bool_or(NOT a.agrees) AS instead
        FROM cited AS c
        JOIN agreement AS a USING (story_id, kind, article_id)
        GROUP BY ALL
    ) AS i USING (story_id, kind, value, cur)
    WHERE NOT (f.value = b.b.value AND f.cur = b.b.cur)
    GROUP BY ALL
),
story_orgs AS (
    -- fallback attribution, only for figures whose sentences name no organisation
    SELECT story_id, list(name ORDER BY n DESC, name)[1:2] AS orgs
    FROM (
        SELECT t.story_id, m.name, sum(m.count) AS n
        FROM ta AS t
        JOIN tag_mentions AS m USING (article_id)
        WHERE m.kind = 'org'
          AND t.story_id IN (SELECT story_id FROM best WHERE len(b.named) = 0)
        GROUP BY ALL
    )
    GROUP BY story_id
),
told AS (
    SELECT
        story_id,
        count(*)                                            AS n_articles,
        list_sort(list_distinct(list(source)))              AS sources,
        list_sort(list_distinct(list(language)))            AS languages
    FROM ta
    WHERE story_id IN (SELECT story_id FROM best)
    GROUP BY story_id
)
SELECT
    b.story_id,
    coalesce(d.published_at, d.fetched_at)                  AS first_seen,
    d.title                                                 AS headline,
    b.kind,
    b.b.value,
    b.b.first.value_low,
    b.b.first.unit,
    nullif(b.b.cur, '')                                     AS currency,
    b.b.first.amount_usd,
    b.b.first.qualifier,
    b.b.citations,
    CASE WHEN len(b.b.named) > 0 THEN
        -- distinct names, most named first, then alphabetically
        list_transform(
            list_sort(list_transform(list_distinct(b.b.named),
                      lambda o: {n: -len(list_filter(b.b.named, lambda x: x = o)), org: o})),
            lambda s: s.org)
    ELSE coalesce(so.orgs, [])
    END                                                     AS orgs,
    s.n_articles,
    len(s.sources)                                          AS n_sources,
    s.sources,
    s.languages,
    b.b.first.sentence,
    d.url,
    b.b.sources                                             AS cited_by,
    coalesce(list_bool_or(list_transform(o.other_values, lambda v: v.instead)), false)
                                                            AS disputed,
    coalesce(o.other_values, [])                            AS other_values
FROM best AS b
JOIN told AS s USING (story_id)
JOIN documents AS d ON d.article_id = b.story_id
LEFT JOIN story_orgs AS so USING (story_id)
LEFT JOIN others AS o USING (story_id, kind)
ORDER BY b.kind, first_seen, b.story_id;
