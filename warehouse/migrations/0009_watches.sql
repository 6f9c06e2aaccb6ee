-- Watches (gigawatch/watches, watches.toml): the stories each watch fired on, and every message
-- sent about them. The `alerts` view (views/80_alerts.sql) joins the two.
-- watch_alerts: one row per (watch, story) that matched, written after its messages were sent.
--   story_id     : the story as it was when last seen (a story whose first article changes
--                  is found again through its members: warehouse/sql/watches/known_alerts.sql)
--   digest       : none | daily | weekly, as the watch said when it fired
--   period       : for a digest watch, the first day of the period the story fell in
--   state        : JSON of what updates are about (outlets, articles, figures), last recorded
CREATE TABLE watch_alerts (
    alert_id     VARCHAR PRIMARY KEY,
    watch        VARCHAR NOT NULL,
    story_id     BIGINT NOT NULL,
    headline     VARCHAR,
    digest       VARCHAR NOT NULL,
    period       DATE,
    state        VARCHAR,
    first_fired  TIMESTAMPTZ NOT NULL,
    last_updated TIMESTAMPTZ NOT NULL,
    run_id       VARCHAR,
    updated_run  VARCHAR
);

-- watch_deliveries: one row per message and channel, with its outcome after the retries.
--   alert_id : the alert it was about; NULL for a digest, which names its period instead
--   message  : alert | update | digest
--   channel  : the Apprise URL with secrets masked; 'artifact' for a watch without notify URLs
--              (the run's Prefect markdown artifact), 'terminal' for `gigawatch watch digest`
CREATE TABLE watch_deliveries (
    delivery_id VARCHAR PRIMARY KEY,
    watch       VARCHAR NOT NULL,
    alert_id    VARCHAR,
    period      DATE,
    message     VARCHAR NOT NULL,
    channel     VARCHAR NOT NULL,
    delivered   BOOLEAN NOT NULL,
    attempts    INTEGER NOT NULL,
    error       VARCHAR,
    sent_at     TIMESTAMPTZ NOT NULL,
    run_id      VARCHAR
);
