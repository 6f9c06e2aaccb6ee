SELECT article_id, text_hash, minhash, seen_at
FROM doc_signatures
WHERE article_id IN (SELECT unnest($ids));
