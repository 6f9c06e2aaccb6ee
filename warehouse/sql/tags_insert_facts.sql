-- Bulk insert of tag_facts rows from parallel lists.
INSERT INTO tag_facts (article_id, seq, kind, value, value_low, unit, currency, amount_usd,
                       qualifier, repeated, sentence, span_start, span_end, orgs)
SELECT
    unnest($article_id::BIGINT[]),
    unnest($seq::INTEGER[]),
    unnest($kind::VARCHAR[]),
    unnest($value::DOUBLE[]),
    unnest($value_low::DOUBLE[]),
    unnest($unit::VARCHAR[]),
    unnest($currency::VARCHAR[]),
    unnest($amount_usd::DOUBLE[]),
    unnest($qualifier::VARCHAR[]),
    unnest($repeated::BOOLEAN[]),
    unnest($sentence::VARCHAR[]),
    unnest($span_start::INTEGER[]),
    unnest($span_end::INTEGER[]),
    unnest($orgs::VARCHAR[][]);
