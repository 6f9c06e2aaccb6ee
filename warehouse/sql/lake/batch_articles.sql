-- The articles whose stored version batch $batch holds: folded into stories and trend tables
-- with it (an article another batch stored first is not).
SELECT article_id FROM lake.winners_documents WHERE lake_batch = $batch ORDER BY article_id;
