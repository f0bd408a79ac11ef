package dev.lastcall.platform.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lastcall.platform.context.TraceParent;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * An event as a consumer takes it. {@code id} is stable: consumers deduplicate on it.
 *
 * @param trace the span of the request that published it, when that request came with a trace
 */
public record OutboxEvent(UUID id, String type, JsonNode payload, Instant createdAt, Optional<TraceParent> trace) {}
