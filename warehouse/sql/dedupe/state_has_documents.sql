-- Whether any article is stored (with none, a rebuild of the dedupe state has nothing to fold).
SELECT EXISTS (SELECT 1 FROM documents);
