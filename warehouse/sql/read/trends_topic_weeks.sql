-- Stories per ISO week of the topics $names, weeks starting $first to $until.
-- Columns: topic, week, stories.
SELECT topic, week, stories FROM topic_weekly
WHERE topic IN (SELECT unnest($names)) AND week BETWEEN $first AND $until;
