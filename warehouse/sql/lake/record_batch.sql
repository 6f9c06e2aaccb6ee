-- Fold a committed batch: its place in the order ($batch, $run_id, $day, $committed_at,
-- $tables; articles counted once its rows are visible, lake/count_batch.sql).
INSERT INTO lake.batches
SELECT coalesce(max(seq), 0) + 1, $batch, $run_id, $day::DATE, $committed_at::TIMESTAMPTZ,
       now(), $tables::VARCHAR[], 0
FROM lake.batches;
