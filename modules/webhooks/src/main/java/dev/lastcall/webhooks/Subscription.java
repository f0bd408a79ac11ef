package dev.lastcall.webhooks;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** A subscription as the API shows it: never with its secret. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Subscription(UUID id, String url, List<String> events, String status, Instant createdAt,
        @Nullable Instant disabledAt) {}
