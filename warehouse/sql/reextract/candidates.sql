-- The articles a reextract works on, by id: inside the publication window and sources given
-- (an empty list: every source), not already re-extracted by this (resumed) run, and with
-- $outdated only those whose extractor or options differ from today's (NULL counts as outdated).
SELECT article_id FROM documents
WHERE ($since IS NULL OR published_at >= $since)
  AND ($until IS NULL OR published_at < $until)
  AND (len($sources) = 0 OR list_contains($sources, source))
  AND NOT coalesce(extractor = $extractor AND extract_options = $extract_options
                   AND extracted_at >= $resume_from, FALSE)
  AND (NOT $outdated OR extractor IS DISTINCT FROM $extractor
       OR extract_options IS DISTINCT FROM $extract_options)
ORDER BY article_id;
