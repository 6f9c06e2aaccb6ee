INSERT INTO watch_alerts (alert_id, watch, story_id, headline, digest, period, state,
                          first_fired, last_updated, run_id, updated_run)
VALUES ($alert_id, $watch, $story_id, $headline, $digest, $period, $state, $at, $at, $run_id,
        $run_id);
