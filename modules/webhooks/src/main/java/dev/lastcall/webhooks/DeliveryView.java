package dev.lastcall.webhooks;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One delivery as the API shows it.
 *
 * @param eventId the event's id, sent as {@code webhook-id} on every attempt
 * @param nextAttemptAt when a pending delivery is tried next
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record DeliveryView(
        UUID eventId,
        String eventType,
        String status,
        int attempts,
        Instant createdAt,
        @Nullable Instant nextAttemptAt,
        @Nullable Instant lastAttemptAt,
        @Nullable Integer lastStatusCode,
        @Nullable String lastError,
        @Nullable Instant deliveredAt) {}
