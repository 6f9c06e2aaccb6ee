-- The runs that are over (completed, partial, failed or interrupted).
SELECT run_id FROM flow_runs WHERE status <> 'running';
