-- Test-only: proves that Database runs Flyway at start.
CREATE TABLE probe (id bigint PRIMARY KEY, note text NOT NULL);
