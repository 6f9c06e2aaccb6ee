-- Articles whose trend rows must be recomputed (_tr_dirty) after a batch: the batch's own ($ids: new or
-- changed text, tags or date), and every article whose counted state drifted: it became a
-- duplicate, moved to another story, or left or joined the counted set (a story relabelled
-- when an earlier article joined it, a duplicate group taken over by a backfilled original).
CREATE TEMP TABLE _tr_dirty AS
SELECT unnest($ids::BIGINT[]) AS article_id;

INSERT INTO _tr_dirty
SELECT coalesce(s.article_id, td.article_id)
FROM (
    SELECT t.article_id, coalesce(v.story_id, t.article_id) AS story_id
    FROM article_tags AS t
    LEFT JOIN article_dedupe AS v USING (article_id)
    WHERE t.relevant AND v.duplicate_of IS NULL
) AS s
FULL JOIN trend_docs AS td USING (article_id)
WHERE s.story_id IS DISTINCT FROM td.story_id;
