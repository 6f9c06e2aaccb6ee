-- The organisation candidates `gigawatch taxonomy suggest` prints: named in at least
-- $min_stories stories, last seen on or after $since (NULL: any time), most stories first.
SELECT name, kind, stories, outlets, articles, first_seen, last_seen, example, example_url, sources
FROM org_candidates
WHERE stories >= $min_stories
  AND ($since::TIMESTAMPTZ IS NULL OR last_seen >= $since::TIMESTAMPTZ)
ORDER BY stories DESC, outlets DESC, articles DESC, first_seen, name;
