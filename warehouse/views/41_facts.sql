-- facts: quantities found in article texts, one row per occurrence.
--   kind       : power (value in GW, unit 'GW') | energy (GWh) | money (value in the original
--                currency, ISO code in currency and unit) | stake (percent of capital, unit '%')
--                | shares (a number of shares)
--   amount_usd : money converted with the static table gigawatch/defaults/fx_rates.toml
--   qualifier  : up_to | more_than | about | range (value = upper bound, value_low = lower) | NULL
--   sentence   : the sentence it came from; span_start/span_end: offsets in the article text
--   orgs       : canonical names of the organisations named in that sentence (attribution)
--   repeated   : an equal fact (kind, value, unit, currency) appeared earlier in the article;
--                filter `NOT repeated` before summing
-- Example: gigawatts announced per organisation and month
--   SELECT date_trunc('month', a.published_at) AS month, org, sum(f.value) AS gw
--   FROM facts f JOIN articles a USING (article_id), unnest(f.orgs) AS t(org)
--   WHERE f.kind = 'power' AND NOT f.repeated GROUP BY ALL ORDER BY month, gw DESC;
CREATE OR REPLACE VIEW facts AS
SELECT
    article_id,
    kind,
    value,
    unit,
    currency,
    amount_usd,
    qualifier,
    sentence,
    orgs,
    value_low,
    repeated,
    span_start,
    span_end,
    seq
FROM tag_facts;
