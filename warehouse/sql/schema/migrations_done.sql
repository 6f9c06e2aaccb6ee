-- Names of the migrations already applied.
SELECT name FROM schema_migrations;
