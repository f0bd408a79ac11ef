package dev.lastcall.platform.outbox;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The payload of a {@value #TYPE} event, published once per committed transfer: the transfer as
 * the ledger's API shows it. The ledger publishes it and webhooks delivers it as the body's
 * {@code data}; its members, in this order, are the JSON subscribers receive.
 */
public record TransferCreated(long id, String from, String to, long amount, String currency,
        @Nullable String reference, Instant createdAt) {

    public static final String TYPE = "transfer.created";
}
