-- How many articles batch $batch won ($articles).
UPDATE lake.batches SET articles = $articles WHERE batch = $batch;
