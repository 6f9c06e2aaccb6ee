-- runs: one row per run and source, with the run's parameters, times, status and counts.
CREATE OR REPLACE VIEW runs AS
SELECT
    r.run_id,
    r.flow,
    r.params,
    r.started_at,
    r.finished_at,
    r.status,
    c.source,
    c.pages_fetched,
    c.not_modified,
    c.skipped_known,
    c.articles_new,
    c.duplicates,
    c.errors
FROM flow_runs AS r
LEFT JOIN run_source_counts AS c USING (run_id);
