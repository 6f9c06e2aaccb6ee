-- The $top rising names of the 7 days to the latest article's day (see views/77_rising.sql).
SELECT kind, name, week_start, week_end, stories, baseline, ratio, new, outlets
FROM rising
ORDER BY stories - baseline DESC, stories DESC, name
LIMIT $top;
