-- The counts of one run for one source, written when the run finishes.
INSERT OR REPLACE INTO run_source_counts (
    run_id, source, pages_fetched, not_modified, skipped_known, articles_new, duplicates, errors
)
VALUES ($run_id, $source, $pages_fetched, $not_modified, $skipped_known, $articles_new,
        $duplicates, $errors);
