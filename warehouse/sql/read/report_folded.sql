-- Articles of the days $since to $until (UTC) folded into another one as duplicates.
SELECT count(*) FROM articles
WHERE duplicate_of IS NOT NULL
  AND utc_day(coalesce(published_at, fetched_at)) BETWEEN $since AND $until;
