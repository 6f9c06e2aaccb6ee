-- The digest periods of watch $watch that hold stories, with the channels that already got
-- that period's digest (NULL: none yet).
SELECT
    a.period,
    list(DISTINCT d.channel) FILTER (WHERE d.delivered) AS delivered_to
FROM watch_alerts AS a
LEFT JOIN watch_deliveries AS d
    ON d.watch = a.watch AND d.message = 'digest' AND d.period = a.period
WHERE a.watch = $watch AND a.period IS NOT NULL
GROUP BY a.period
ORDER BY a.period;
