-- Power deals (one per story) first seen on the days $since to $until (UTC), largest first.
-- Optional filters (NULL: none): $ids, only these stories; $k, only the $k largest of each
-- $interval ('week' | 'month') of first sighting; $limit, only the $limit largest.
SELECT
    first_seen, headline, gw, gw_low, qualifier, orgs, n_sources, sources, languages,
    citations, sentence, url, story_id
FROM power_deals
WHERE utc_day(first_seen) BETWEEN $since AND $until
  AND ($ids::BIGINT[] IS NULL OR story_id IN (SELECT unnest($ids::BIGINT[])))
QUALIFY $k::BIGINT IS NULL
     OR row_number() OVER (PARTITION BY utc_trunc($interval, first_seen)
                           ORDER BY gw DESC, first_seen) <= $k
ORDER BY gw DESC, first_seen
LIMIT $limit;
