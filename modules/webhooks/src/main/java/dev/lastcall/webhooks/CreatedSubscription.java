package dev.lastcall.webhooks;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The answer to a new subscription: the only time its secret is shown. */
record CreatedSubscription(UUID id, String url, List<String> events, String secret, String status, Instant createdAt) {}
