-- The copies of $old (a re-extracted first-seen article, now a copy itself) point to $new.
UPDATE article_dedupe SET duplicate_of = $new WHERE duplicate_of = $old;
