-- Webhooks: subscriptions, and one delivery per (subscription, outbox event). The fan-out job
-- inserts deliveries in the same transaction that takes the event from the outbox, so an event
-- taken is never lost. A delivery is claimed by leasing it (leased_until, lease_token), sent
-- outside any transaction, then its outcome is recorded only by the lease holder.
CREATE TABLE webhook_subscriptions (
    id           UUID        PRIMARY KEY,
    url          TEXT        NOT NULL,
    event_types  TEXT[]      NOT NULL,
    secret       TEXT        NOT NULL,
    status       TEXT        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    disabled_at  TIMESTAMPTZ
);

CREATE TABLE webhook_deliveries (
    id                BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id   UUID        NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_id          UUID        NOT NULL,
    event_type        TEXT        NOT NULL,
    -- The exact body sent on every attempt: the signature covers these bytes.
    body              TEXT        NOT NULL,
    status            TEXT        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts          INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    leased_until      TIMESTAMPTZ,
    lease_token       UUID,
    last_attempt_at   TIMESTAMPTZ,
    last_status_code  INTEGER,
    last_error        TEXT,
    delivered_at      TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (subscription_id, event_id)
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_newest ON webhook_deliveries (subscription_id, created_at DESC, id DESC);
