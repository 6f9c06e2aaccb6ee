-- articles: one row per extracted article (canonical URL), with its relevance to AI
-- infrastructure from the tags (see gigawatch/relevance.py; threshold in the taxonomy file),
-- the first-seen article it duplicates (NULL for originals) and its story, and what produced
-- its text (extractor, extract_options) and its tags (tagger, taxonomy_version and _digest;
-- migrations/0008_versions.sql).
CREATE OR REPLACE VIEW articles AS
SELECT
    d.article_id,
    d.url,
    d.source,
    d.title,
    d.author,
    d.published_at,
    coalesce(t.language, d.language) AS language,
    d.text,
    d.fetched_at,
    t.relevance,
    t.relevant,
    v.duplicate_of,
    v.story_id,
    d.site_name,
    d.description,
    d.extractor,
    d.extract_options,
    d.extracted_at,
    t.tagger,
    t.taxonomy_version,
    t.taxonomy_digest,
    t.tagged_at
FROM documents AS d
LEFT JOIN article_tags AS t USING (article_id)
LEFT JOIN article_dedupe AS v USING (article_id);
