-- Record the settings ($fingerprint) the signatures of this state are computed with.
INSERT INTO dedupe_state VALUES ('signature', $fingerprint);
