-- deals: a ledger of announced capacity (power, GW) and money at story level. Each story counts
-- once per kind, with one figure: the one cited by the most of its articles; among equals, the
-- one attributed to an organisation in its sentence, then the one told first (the lede), then
-- the largest. Syndicated copies and retellings therefore never multiply gigawatts or dollars.
-- Only relevant, non-duplicate articles count (see trend_articles); repeated facts are ignored.
--   story_id, first_seen, headline, url : the story and its first article (as in `stories`)
--   kind        : power | money
--   value       : GW for power; the amount in `currency` for money (value_low: lower bound)
--   unit, currency, amount_usd (money converted with the static FX table), qualifier
--   citations   : articles of the story citing this figure
--   orgs        : organisations named with the figure, most named first; when its sentences
--                 name none, the story's two most-named organisations
--   n_articles, n_sources, sources, languages : how widely the story was told
--   sentence    : the figure's sentence in the earliest article citing it
--   cited_by    : the outlets whose articles cite this figure
--   disputed    : true when an article of the story cites another value of this kind and not
--                 this one (for money, nor the same amount in another currency within 10 %)
--   other_values: the story's other values of this kind, most cited first, each with currency,
--                 amount_usd, citations, sources (the outlets citing it) and instead (true when
--                 cited by an article that does not cite the chosen figure: a conflict, not a
--                 second figure of the same deal such as a first phase)
-- power_deals and money_deals are the two halves, with friendlier column names.
-- Read from the table trend_deals, computed per story by warehouse/sql/trends_deals.sql.
CREATE OR REPLACE VIEW deals AS
SELECT
    story_id, first_seen, headline, kind, value, value_low, unit, currency, amount_usd,
    qualifier, citations, orgs, n_articles, n_sources, sources, languages, sentence, url,
    cited_by, disputed, other_values
FROM trend_deals;
