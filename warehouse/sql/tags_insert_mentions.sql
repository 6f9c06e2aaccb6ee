-- Bulk insert of tag_mentions rows from parallel lists.
INSERT INTO tag_mentions (article_id, kind, name, count)
SELECT
    unnest($article_id::BIGINT[]),
    unnest($kind::VARCHAR[]),
    unnest($name::VARCHAR[]),
    unnest($count::INTEGER[]);
