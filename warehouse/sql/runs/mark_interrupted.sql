-- Runs still marked running when a new writer ($run_id) holds the run lock died mid-way.
UPDATE flow_runs
SET status = 'interrupted', finished_at = coalesce(finished_at, now())
WHERE status = 'running' AND run_id <> $run_id;
