-- Per $interval ('week' | 'month', UTC) of first sighting, days $since to $until: power
-- stories and their GW, each story once. Columns: bucket (DATE), stories, amount.
SELECT utc_trunc($interval, first_seen) AS bucket,
       count(*) AS stories, coalesce(sum(gw), 0) AS amount
FROM power_deals
WHERE utc_day(first_seen) BETWEEN $since AND $until
GROUP BY bucket;
