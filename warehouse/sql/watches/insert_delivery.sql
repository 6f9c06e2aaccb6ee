INSERT INTO watch_deliveries (delivery_id, watch, alert_id, period, message, channel, delivered,
                              attempts, error, sent_at, run_id)
VALUES ($delivery_id, $watch, $alert_id, $period, $message, $channel, $delivered, $attempts,
        $error, $sent_at, $run_id);
