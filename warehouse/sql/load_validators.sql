-- ETag / Last-Modified of every feed and sitemap, for conditional requests.
SELECT url, etag, last_modified FROM http_validators;
