-- Bulk insert of tag_candidates rows from parallel lists.
INSERT INTO tag_candidates (article_id, name, kind, sentence)
SELECT
    unnest($article_id::BIGINT[]),
    unnest($name::VARCHAR[]),
    unnest($kind::VARCHAR[]),
    unnest($sentence::VARCHAR[]);
