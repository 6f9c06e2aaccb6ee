-- Organisation candidates (issue 13): capitalised names the taxonomy does not know, found by the
-- tagger in the deal sentences of relevant articles (gigawatch/candidates.py). One row per
-- (article, name); written and replaced with the article's other tags by warehouse/tags.py.
-- Summed up by the org_candidates view (views/79_org_candidates.sql).
CREATE TABLE IF NOT EXISTS tag_candidates (
    article_id BIGINT NOT NULL,               -- documents.article_id
    name       VARCHAR NOT NULL,              -- as written ("Zephyr Compute Partners")
    kind       VARCHAR NOT NULL,              -- kind guessed from its words (candidates.toml [kinds])
    sentence   VARCHAR NOT NULL               -- the first deal sentence naming it
);
