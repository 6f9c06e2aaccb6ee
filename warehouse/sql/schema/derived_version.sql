-- The digest the derived tables $name (dedupe | trends) were last built with.
SELECT version FROM derived_state WHERE name = $name;
