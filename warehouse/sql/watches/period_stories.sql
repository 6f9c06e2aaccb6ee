-- The stories (as they are now) that fell in period $period of watch $watch.
SELECT DISTINCT coalesce(m.story_id, a.story_id) AS story_id
FROM watch_alerts AS a
LEFT JOIN articles AS m ON m.article_id = a.story_id
WHERE a.watch = $watch AND a.period = $period;
