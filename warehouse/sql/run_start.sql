INSERT INTO flow_runs (run_id, flow, params, started_at, status)
VALUES (?, ?, ?, ?, 'running')
ON CONFLICT (run_id) DO UPDATE SET status = 'running', started_at = excluded.started_at;
