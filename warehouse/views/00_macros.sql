-- Macros for the calendar expressions every trend question repeats. Created first (this file
-- sorts before the views) by every writer's migrate, and stored in the database file, so
-- read-only connections see them too. All take a TIMESTAMPTZ and work in UTC whatever the
-- session's TimeZone, by integer arithmetic on the epoch (no time zone lookups).
--   utc_day(ts)             : the UTC calendar day (DATE)
--   utc_trunc(part, ts)     : the first day of its UTC 'week' (Monday) or 'month' (DATE)
--   utc_week(ts), utc_month(ts) : utc_trunc('week' | 'month', ts)
--   utc_month_key(ts)       : the UTC month as 'YYYY-MM' (VARCHAR); ts may be a DATE or a
--                             TIMESTAMP too (cast to TIMESTAMPTZ first): export's partition key
-- Example: SELECT utc_month(published_at) AS month, count(*) FROM documents GROUP BY ALL;
CREATE OR REPLACE MACRO utc_day(ts) AS CAST(make_timestamp(epoch_us(ts)) AS DATE);

CREATE OR REPLACE MACRO utc_trunc(part, ts) AS
    CAST(date_trunc(part, make_timestamp(epoch_us(ts))) AS DATE);

CREATE OR REPLACE MACRO utc_week(ts) AS utc_trunc('week', ts);

CREATE OR REPLACE MACRO utc_month(ts) AS utc_trunc('month', ts);

CREATE OR REPLACE MACRO utc_month_key(ts) AS
    strftime(make_timestamp(epoch_us(CAST(ts AS TIMESTAMPTZ))), '%Y-%m');
