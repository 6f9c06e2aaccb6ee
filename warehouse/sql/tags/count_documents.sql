-- How many articles there are to tag (the progress bar's total).
SELECT count(*) FROM documents;
