package dev.lastcall.platform.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;

/** An event as a consumer takes it. {@code id} is stable: consumers deduplicate on it. */
public record OutboxEvent(UUID id, String type, JsonNode payload, Instant createdAt) {}
