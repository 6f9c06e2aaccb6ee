-- What a catalogue has folded: batches, runs, articles, first and last commit.
SELECT count(*) AS batches, count(DISTINCT run_id) AS runs, coalesce(sum(articles), 0) AS articles,
       min(committed_at) AS first_commit, max(committed_at) AS last_commit,
       max(synced_at) AS last_sync
FROM lake.batches;
