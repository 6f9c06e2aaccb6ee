-- Bulk insert of article_tags rows from parallel lists (one round trip per batch).
INSERT INTO article_tags (
    article_id, language, relevance, relevant, taxonomy_version, taxonomy_digest, tagger,
    tagged_at
)
SELECT
    unnest($article_id::BIGINT[]),
    unnest($language::VARCHAR[]),
    unnest($relevance::DOUBLE[]),
    unnest($relevant::BOOLEAN[]),
    unnest($taxonomy_version::VARCHAR[]),
    unnest($taxonomy_digest::VARCHAR[]),
    unnest($tagger::VARCHAR[]),
    $tagged_at::TIMESTAMPTZ;
