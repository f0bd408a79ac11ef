-- The transactional outbox: an event is written in the same transaction as the change it
-- describes, so it exists if and only if that change committed. Each consumer known at publish
-- time gets a pending row; a consumer takes its rows with FOR UPDATE SKIP LOCKED, so two
-- processes never take the same one.
CREATE TABLE outbox_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id    UUID        NOT NULL UNIQUE,
    type        TEXT        NOT NULL,
    payload     JSONB       NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE outbox_pending (
    consumer    TEXT   NOT NULL,
    event       BIGINT NOT NULL REFERENCES outbox_events (id),
    PRIMARY KEY (consumer, event)
);
