-- Derived tables leave the migrations. The dedupe state (first made by 0003, whose text was
-- then rewritten twice: databases hold one of three shapes) and the trend tables (0005) are
-- rebuilt from their own DDL, warehouse/derived/<name>.sql, by their store instead of being
-- migrated: derived_state holds, per store, the digest of that DDL and of the SQL computing
-- the tables (warehouse/sqlfiles.digest), and a store whose digest differs drops and
-- re-creates its tables and computes them again (warehouse/schema.py).
-- A database of any earlier version has no row here, so its derived tables are rebuilt once:
-- the trend tables by the next open, the dedupe state by the next fold or `gigawatch restory`
-- (with the run's [near_duplicates] settings). The markers this replaces are dropped with
-- their tables: trend_state here, dedupe_state ('schema') by that first rebuild.
CREATE TABLE IF NOT EXISTS derived_state (
    name    VARCHAR PRIMARY KEY,              -- dedupe | trends
    version VARCHAR NOT NULL                  -- digest of the DDL and SQL they were built with
);

DROP TABLE IF EXISTS trend_state;
