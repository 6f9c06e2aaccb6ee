-- org_candidates: names the taxonomy does not know, seen in deal sentences of relevant articles
-- (gigawatch/candidates.py; table tag_candidates), so that a new entrant shows the week it
-- appears. One row per name as written; `gigawatch taxonomy suggest` prints them as taxonomy
-- entries (and drops names the current taxonomy has learnt since the articles were tagged).
--   kind        : the kind its words suggest ("... Capital" -> investor, "... Energy" -> energy)
--   stories     : distinct stories naming it (an article not yet grouped counts as its own)
--   outlets     : distinct sources naming it; articles: relevant articles naming it
--   first_seen, last_seen : earliest and latest publication (or fetch) time of those articles
--   example, example_url  : the sentence and URL of its earliest article
--   sources     : the outlets, alphabetically
-- Example: this week's new names cited by at least two outlets
--   SELECT name, stories, outlets, example FROM org_candidates
--   WHERE first_seen >= now() - INTERVAL 7 DAY AND outlets >= 2 ORDER BY stories DESC;
CREATE OR REPLACE VIEW org_candidates AS
SELECT
    c.name,
    mode(c.kind)                                                    AS kind,
    count(DISTINCT coalesce(v.story_id, c.article_id))              AS stories,
    count(DISTINCT d.source)                                        AS outlets,
    count(DISTINCT c.article_id)                                    AS articles,
    min(coalesce(d.published_at, d.fetched_at))                     AS first_seen,
    max(coalesce(d.published_at, d.fetched_at))                     AS last_seen,
    arg_min(c.sentence, (coalesce(d.published_at, d.fetched_at), c.article_id)) AS example,
    arg_min(d.url, (coalesce(d.published_at, d.fetched_at), c.article_id))      AS example_url,
    list(DISTINCT d.source ORDER BY d.source)                       AS sources
FROM tag_candidates AS c
JOIN article_tags AS t USING (article_id)
JOIN documents AS d USING (article_id)
LEFT JOIN article_dedupe AS v USING (article_id)
WHERE t.relevant
GROUP BY c.name;
