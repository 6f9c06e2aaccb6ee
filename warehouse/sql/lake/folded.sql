-- The batches this catalogue has folded.
SELECT batch FROM lake.batches;
