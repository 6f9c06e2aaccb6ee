INSERT OR REPLACE INTO run_source_counts (
    run_id, source, pages_fetched, not_modified, skipped_known, articles_new, duplicates, errors
)
VALUES (?, ?, ?, ?, ?, ?, ?, ?);
