-- The tables some folded batch wrote a file for (their views read the files).
SELECT DISTINCT unnest(tables) FROM lake.batches;
