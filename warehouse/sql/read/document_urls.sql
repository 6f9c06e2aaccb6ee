-- The URL of every stored article (the crawler's known-URL list).
SELECT url FROM documents;
