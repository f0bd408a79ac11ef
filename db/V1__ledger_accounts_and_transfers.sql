-- The ledger: accounts, transfers with their two entries, and idempotency keys.
--
-- Double entry: every transfer writes one debit entry (negative) on its source account, one
-- credit entry (positive) of the same amount on its target account, and moves both balances by
-- the same amounts, all in one transaction. So for every currency the balances sum to zero, and
-- every account's balance equals the sum of its entries.

CREATE TABLE ledger_account (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code           TEXT        NOT NULL,
    currency       TEXT        NOT NULL,
    balance        BIGINT      NOT NULL DEFAULT 0,
    allow_negative BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT ledger_account_code_unique UNIQUE (code),
    CONSTRAINT ledger_account_code_shape CHECK (code ~ '^[A-Za-z0-9_.:-]{1,64}$'),
    CONSTRAINT ledger_account_currency_shape CHECK (currency ~ '^[A-Z]{3}$'),
    -- The service checks this before it writes; the constraint is the second line of defence.
    CONSTRAINT ledger_account_balance_not_negative CHECK (allow_negative OR balance >= 0)
);

CREATE TABLE ledger_transfer (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_account_id BIGINT      NOT NULL REFERENCES ledger_account (id),
    to_account_id   BIGINT      NOT NULL REFERENCES ledger_account (id),
    amount          BIGINT      NOT NULL,
    currency        TEXT        NOT NULL,
    reference       TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT ledger_transfer_amount_range CHECK (amount BETWEEN 1 AND 9007199254740991),
    CONSTRAINT ledger_transfer_distinct_accounts CHECK (from_account_id <> to_account_id),
    CONSTRAINT ledger_transfer_reference_length CHECK (char_length(reference) <= 255)
);

-- Debit (amount < 0) on the source account, credit (amount > 0) on the target account.
-- The primary key also serves an account's transfer listing, newest first.
CREATE TABLE ledger_entry (
    account_id  BIGINT NOT NULL REFERENCES ledger_account (id),
    transfer_id BIGINT NOT NULL REFERENCES ledger_transfer (id),
    amount      BIGINT NOT NULL,
    CONSTRAINT ledger_entry_pkey PRIMARY KEY (account_id, transfer_id),
    CONSTRAINT ledger_entry_amount_not_zero CHECK (amount <> 0)
);

CREATE INDEX ledger_entry_transfer ON ledger_entry (transfer_id);

-- One row per Idempotency-Key, written in the same transaction as the transfer it produced (or the
-- refusal it produced: a replay answers the same). fingerprint is the SHA-256 of the canonical
-- request; created_at is when the key was first used, for expiry after ledger.idempotencyTtl.
CREATE TABLE ledger_idempotency_key (
    idempotency_key TEXT        NOT NULL,
    fingerprint     BYTEA       NOT NULL,
    response_status SMALLINT    NOT NULL,
    response_body   TEXT        NOT NULL,
    transfer_id     BIGINT REFERENCES ledger_transfer (id),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT ledger_idempotency_key_pkey PRIMARY KEY (idempotency_key),
    CONSTRAINT ledger_idempotency_key_shape CHECK (idempotency_key ~ '^[!-~]{1,255}$'),
    CONSTRAINT ledger_idempotency_key_fingerprint_length CHECK (octet_length(fingerprint) = 32),
    CONSTRAINT ledger_idempotency_key_transfer_unique UNIQUE (transfer_id)
);

CREATE INDEX ledger_idempotency_key_created_at ON ledger_idempotency_key (created_at);
