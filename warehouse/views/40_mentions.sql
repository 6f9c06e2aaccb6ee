-- mentions: what each article names, one row per (article, kind, name).
--   kind  : org | chip | topic | place
--   name  : canonical name from the taxonomy (gigawatch/defaults/taxonomy.toml)
--   count : matches in the title and the text
-- Example: the organisations most named in relevant articles this month
--   SELECT name, sum(count) FROM mentions JOIN articles USING (article_id)
--   WHERE kind = 'org' AND relevant AND published_at >= date_trunc('month', now())
--   GROUP BY name ORDER BY 2 DESC;
CREATE OR REPLACE VIEW mentions AS
SELECT
    article_id,
    kind,
    name,
    count
FROM tag_mentions;
