-- Stories per ISO week of the organisations $names, weeks starting $first to $until.
-- Columns: org, week, stories.
SELECT org, week, stories FROM org_weekly
WHERE org IN (SELECT unnest($names)) AND week BETWEEN $first AND $until;
