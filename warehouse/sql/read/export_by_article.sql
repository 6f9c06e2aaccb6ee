-- Write the relation $relation (a quoted identifier, with an article_id column) to the folder
-- $path, one Hive partition per UTC month ('YYYY-MM') of its article. Answers with the rows
-- written.
COPY (
    SELECT r.*, utc_month_key(coalesce(d.published_at, d.fetched_at)) AS month
    FROM query_table($relation) AS r
    LEFT JOIN documents AS d ON d.article_id = r.article_id
)
TO $path (FORMAT parquet, PARTITION_BY (month), FILENAME_PATTERN 'data_{i}');
