-- pgbench script for TransferBenchmark's floor: the smallest honest double-entry transfer, one
-- transaction each: both balances moved (the lower account id first, so two opposite transfers
-- cannot deadlock) and one transfer row inserted. No key, no entries, no event, no checks: what
-- PostgreSQL itself does per transfer, which the service (with all of those) is measured against.
-- Variables from the command line: accounts (how many), base (accounts bench-1..bench-N have the
-- ids base+1..base+N), hot (1: every transfer debits account base+1, the hot-account scenario).
\set f random(1, :accounts)
\if :hot = 1
\set f 1
\endif
\set t random(1, :accounts - 1)
\if :t >= :f
\set t :t + 1
\endif
\set from_id :base + :f
\set to_id :base + :t
\set amount random(1, 100)
\set first least(:from_id, :to_id)
\set second greatest(:from_id, :to_id)
\set first_change case when :first = :from_id then -:amount else :amount end
\set second_change case when :second = :from_id then -:amount else :amount end
BEGIN;
UPDATE ledger_account SET balance = balance + :first_change::bigint WHERE id = :first::bigint;
UPDATE ledger_account SET balance = balance + :second_change::bigint WHERE id = :second::bigint;
INSERT INTO ledger_transfer (from_account_id, to_account_id, amount, currency)
VALUES (:from_id::bigint, :to_id::bigint, :amount::bigint, 'EUR');
END;
