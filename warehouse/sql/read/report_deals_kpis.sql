-- Power stories and their GW, money stories and their US$, first seen on the days $since to
-- $until (UTC), each story once.
SELECT
    (SELECT count(*) FROM power_deals WHERE utc_day(first_seen) BETWEEN $since AND $until),
    (SELECT coalesce(sum(gw), 0) FROM power_deals
     WHERE utc_day(first_seen) BETWEEN $since AND $until),
    (SELECT count(*) FROM money_deals WHERE utc_day(first_seen) BETWEEN $since AND $until),
    (SELECT coalesce(sum(amount_usd), 0) FROM money_deals
     WHERE utc_day(first_seen) BETWEEN $since AND $until);
