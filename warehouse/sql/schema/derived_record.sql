-- Record that the derived tables $name were (re)built with the DDL and SQL of digest $version.
INSERT OR REPLACE INTO derived_state (name, version) VALUES ($name, $version);
