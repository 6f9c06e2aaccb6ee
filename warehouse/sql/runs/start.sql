-- Record a run as started (a retried Prefect flow run starts again under the same run_id).
INSERT INTO flow_runs (run_id, flow, params, started_at, status)
VALUES ($run_id, $flow, $params, $started_at, 'running')
ON CONFLICT (run_id) DO UPDATE SET status = 'running', started_at = excluded.started_at;
