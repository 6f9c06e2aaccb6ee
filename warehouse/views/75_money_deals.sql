-- money_deals: announced money, one row per story (see deals for how its figure is chosen).
--   amount (amount_low: lower bound of a range) in currency (ISO 4217), amount_usd converted
--   with gigawatch/defaults/fx_rates.toml, qualifier (up_to | more_than | about | range | NULL),
--   story_id, first_seen, headline, orgs, citations, n_articles, n_sources, sources, languages,
--   sentence, url, cited_by, disputed, other_values (see deals)
-- Example: the largest announcements, in billions of US dollars
--   SELECT first_seen::DATE AS day, round(amount_usd / 1e9, 1) AS usd_bn, orgs, headline
--   FROM money_deals ORDER BY amount_usd DESC LIMIT 5;
CREATE OR REPLACE VIEW money_deals AS
SELECT
    story_id, first_seen, headline, value AS amount, value_low AS amount_low, currency,
    amount_usd, qualifier, orgs, citations, n_articles, n_sources, sources, languages,
    sentence, url, cited_by, disputed, other_values
FROM deals
WHERE kind = 'money';
