-- The URL of the lake this catalogue reads.
SELECT url FROM lake.settings LIMIT 1;
