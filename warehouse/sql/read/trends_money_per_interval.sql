-- Per $interval ('week' | 'month', UTC) of first sighting, days $since to $until: money
-- stories and their US$ bn, each story once. Columns: bucket (DATE), stories, amount.
SELECT utc_trunc($interval, first_seen) AS bucket,
       count(*) AS stories, coalesce(sum(amount_usd / 1e9), 0) AS amount
FROM money_deals
WHERE utc_day(first_seen) BETWEEN $since AND $until
GROUP BY bucket;
