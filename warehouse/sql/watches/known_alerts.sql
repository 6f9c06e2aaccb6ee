-- The alerts already recorded for the stories $stories (BIGINT[]), found through the story's
-- members: the article an alert named as its story may since have joined a story whose first
-- article is another one. The earliest alert of a (watch, story) comes first.
SELECT
    a.alert_id,
    a.watch,
    coalesce(m.story_id, a.story_id) AS story_id,
    a.state,
    a.first_fired
FROM watch_alerts AS a
LEFT JOIN articles AS m ON m.article_id = a.story_id
WHERE list_contains($stories::BIGINT[], coalesce(m.story_id, a.story_id))
ORDER BY a.first_fired, a.alert_id;
