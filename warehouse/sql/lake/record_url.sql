-- Record the lake of a new catalogue ($url).
INSERT INTO lake.settings VALUES ($url, now());
