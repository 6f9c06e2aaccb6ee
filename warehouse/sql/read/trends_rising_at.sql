-- The $top rising names of the 7 days to $until (see views/77_rising.sql).
SELECT kind, name, week_start, week_end, stories, baseline, ratio, new, outlets
FROM rising_at($until)
ORDER BY stories - baseline DESC, stories DESC, name
LIMIT $top;
