-- First settings of a sandboxed connection (warehouse/sandbox.py). DuckDB draws a progress bar
-- on stdout for long queries: it would land inside CSV or JSON output.
SET enable_progress_bar = false;
