-- One article of the signal evaluation set (eval/score_signal.py) as the load would store it.
INSERT INTO documents (article_id, url, source, fetch_id, body_sha1, title, published_at,
                       language, text, fetched_at, extracted_at, extractor)
VALUES ($article_id, $url, $source, 'eval', $body_sha1, $title, $published_at, $language, $text,
        $fetched_at, $fetched_at, 'eval/signal');
