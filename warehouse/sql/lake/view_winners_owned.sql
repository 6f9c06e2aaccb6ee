-- The rows of {table} (tags of an article) written by the batch whose version of the article
-- the documents view shows: an article stored twice has the tags of one of them.
CREATE OR REPLACE VIEW lake.winners_{table} AS
SELECT r.*
FROM lake.rows_{table} AS r
SEMI JOIN lake.winners_documents AS d ON d.article_id = r.article_id AND d.lake_batch = r.lake_batch;
