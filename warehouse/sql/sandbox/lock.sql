-- Close the sandbox: no file, URL, database or extension from here on, and no SET can change
-- the limits set when the connection was opened (memory, threads, spill).
SET enable_external_access = false;
SET lock_configuration = true;
