-- The dedupe settings the stored signatures were computed with (name = 'signature').
SELECT name, value FROM dedupe_state;
