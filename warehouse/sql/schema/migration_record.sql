-- Record a migration as applied ($name: its file name), in its own transaction.
INSERT INTO schema_migrations (name) VALUES ($name);
