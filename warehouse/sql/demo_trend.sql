-- The demo's first trend table: announced capacity, each story counted once however many
-- outlets and languages told it (the power_deals view).
SELECT
    first_seen::DATE                         AS day,
    round(gw, 1)                             AS gw,
    array_to_string(orgs[1:3], ', ')         AS organisations,
    n_articles                               AS arts,
    n_sources                                AS outlets,
    array_to_string(languages, ', ')         AS languages,
    CASE WHEN length(headline) > 58 THEN headline[:57] || '…' ELSE headline END AS headline
FROM power_deals
ORDER BY gw DESC, day
LIMIT 10;
