-- Record the end of a run: completed | partial | failed, with its summary (JSON).
UPDATE flow_runs SET finished_at = $finished_at, status = $status, summary = $summary
WHERE run_id = $run_id;
