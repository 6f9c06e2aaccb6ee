-- Versions on every row (issue 14): what produced each article's text and each article's tags,
-- so that "which rows are from the old extractor" is a query (and `reextract --outdated` a
-- filter). documents.extractor (since 0001) names the trafilatura version; extract_options
-- adds the options gigawatch passed to it (gigawatch/extract.py EXTRACT_OPTIONS, canonical
-- JSON). article_tags.taxonomy_version (since 0002) is the taxonomy file's `version`; tagger
-- names the gigawatch release whose tagger ran and taxonomy_digest the sha1 of the taxonomy
-- file's bytes (an edit without a version bump). NULL: the row was written before 0008.
ALTER TABLE documents ADD COLUMN IF NOT EXISTS extract_options VARCHAR;
ALTER TABLE article_tags ADD COLUMN IF NOT EXISTS tagger VARCHAR;
ALTER TABLE article_tags ADD COLUMN IF NOT EXISTS taxonomy_digest VARCHAR;
