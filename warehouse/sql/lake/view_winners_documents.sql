-- One row per article: the last re-extraction (lake_op 'update', written by --refresh) if
-- any, else the first batch folded that stored it (two writers that stored the same article).
CREATE OR REPLACE VIEW lake.winners_documents AS
SELECT * FROM lake.rows_documents
QUALIFY row_number() OVER (
    PARTITION BY article_id
    ORDER BY lake_op = 'update' DESC,
             CASE WHEN lake_op = 'update' THEN -lake_seq ELSE lake_seq END
) = 1;
