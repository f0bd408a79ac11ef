-- Test-only: a migration that fails, so start must fail and undo itself.
CREATE TABLE half_done (id bigint PRIMARY KEY);
SELECT no_such_function();
