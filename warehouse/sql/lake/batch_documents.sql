-- The documents a batch stored or re-extracted ($batch; $known: the articles the catalogue
-- had before, loaded into the in-memory warehouse: those the batch changed are updates).
SELECT *, $batch::VARCHAR AS lake_batch,
       CASE WHEN article_id IN (SELECT unnest($known::BIGINT[])) THEN 'update' ELSE 'insert' END
           AS lake_op
FROM documents
WHERE fetch_id IN (SELECT fetch_id FROM fetches);
