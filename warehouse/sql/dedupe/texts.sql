-- Every stored text, in storage order (restory streams them to the signature workers).
SELECT article_id, title, text FROM documents;
