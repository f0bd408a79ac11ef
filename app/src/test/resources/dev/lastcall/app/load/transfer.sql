-- pgbench script for TransferBenchmark: one transfer as the ledger's Transfers.apply writes it
-- (modules/ledger/src/main/java/dev/lastcall/ledger/Transfers.java), statement for statement:
-- the Idempotency-Key's advisory lock, the key lookup, both accounts locked in id order, the
-- transfer with its two entries and both balances in one statement, the transfer.created outbox
-- event with its pending row for the webhooks consumer, the key row with the answer; then commit.
-- Variables from the command line: accounts (how many), base (accounts bench-1..bench-N have the
-- ids base+1..base+N). Keys are random; amounts are small, so funded balances never run out.
\set f random(1, :accounts)
\set t random(1, :accounts - 1)
\if :t >= :f
\set t :t + 1
\endif
\set from_id :base + :f
\set to_id :base + :t
\set amount random(1, 100)
\set k random(1, 9000000000000000000)
BEGIN;
SELECT pg_try_advisory_xact_lock(hashtextextended('pgbench-' || :k::text, 0));
SELECT fingerprint, response_status, response_body, transfer_id
FROM ledger_idempotency_key WHERE idempotency_key = 'pgbench-' || :k::text;
SELECT id, code, currency, balance, allow_negative FROM ledger_account
WHERE code IN ('bench-' || :f::text, 'bench-' || :t::text)
ORDER BY id
FOR UPDATE;
WITH transfer AS (
    INSERT INTO ledger_transfer (from_account_id, to_account_id, amount, currency, reference)
    VALUES (:from_id::bigint, :to_id::bigint, :amount::bigint, 'EUR', 'pgbench-' || :k::text)
    RETURNING id, created_at
), entries AS (
    INSERT INTO ledger_entry (account_id, transfer_id, amount)
    SELECT :from_id::bigint, id, -:amount::bigint FROM transfer
    UNION ALL
    SELECT :to_id::bigint, id, :amount::bigint FROM transfer
), balances AS (
    UPDATE ledger_account
    SET balance = balance + CASE WHEN id = :from_id::bigint THEN -:amount::bigint ELSE :amount::bigint END
    WHERE id IN (:from_id::bigint, :to_id::bigint)
)
SELECT id AS transfer_id, json_build_object('id', id, 'from', 'bench-' || :f::text, 'to', 'bench-' || :t::text,
    'amount', :amount::bigint, 'currency', 'EUR', 'reference', 'pgbench-' || :k::text, 'createdAt', created_at)::text AS body
FROM transfer \gset
INSERT INTO outbox_events (event_id, type, payload)
VALUES (gen_random_uuid(), 'transfer.created', :body::jsonb)
RETURNING id AS event \gset
INSERT INTO outbox_pending (consumer, event) VALUES ('webhooks', :event::bigint);
INSERT INTO ledger_idempotency_key (idempotency_key, fingerprint, response_status, response_body, transfer_id)
VALUES ('pgbench-' || :k::text, sha256(('pgbench-' || :k::text)::bytea), 201, :body::text, :transfer_id::bigint);
END;
