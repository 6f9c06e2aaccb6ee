-- alerts: what the watches (watches.toml) fired on and where each message went, one row per
-- story, message and channel. "What did we alert on last month":
--   SELECT DISTINCT watch, story_id, headline FROM alerts
--   WHERE first_fired >= date_trunc('month', now()) - INTERVAL 1 MONTH
--     AND first_fired < date_trunc('month', now());
--   watch        : the watch's name
--   story_id, headline : the story (as in `stories`)
--   first_fired  : when the story first matched the watch; last_updated: its last change seen
--   message      : alert (first match) | update (updates = true) | digest (daily, weekly)
--   digest, period : the watch's digest setting and, for digests, the period's first day
--   channel      : Apprise URL with secrets masked ('artifact': the run's Prefect artifact);
--                  NULL while a digest is not sent yet
--   delivered, attempts, error : the outcome after the retries; sent_at: when
--   run_id       : the run that first fired it
CREATE OR REPLACE VIEW alerts AS
SELECT
    a.watch,
    a.story_id,
    a.headline,
    a.first_fired,
    a.last_updated,
    coalesce(d.message, CASE WHEN a.digest = 'none' THEN 'alert' ELSE 'digest' END) AS message,
    a.digest,
    a.period,
    d.channel,
    d.delivered,
    d.attempts,
    d.error,
    d.sent_at,
    a.run_id
FROM watch_alerts AS a
LEFT JOIN watch_deliveries AS d
    ON d.watch = a.watch
    AND (d.alert_id = a.alert_id
         OR (d.alert_id IS NULL AND d.message = 'digest' AND d.period = a.period));
