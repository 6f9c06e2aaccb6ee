-- When the reextract being run began, or the unfinished ones before it (killed or failed since
-- the last completed reextract): rows they re-extracted with today's extractor are skipped.
SELECT min(started_at) FROM flow_runs
WHERE flow = 'reextract'
  AND started_at > coalesce(
      (SELECT max(started_at) FROM flow_runs WHERE flow = 'reextract' AND status = 'completed'),
      '-infinity'::TIMESTAMPTZ);
