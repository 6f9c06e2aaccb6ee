UPDATE watch_alerts
SET story_id = $story_id, headline = $headline, state = $state, last_updated = $at,
    updated_run = $run_id
WHERE alert_id = $alert_id;
