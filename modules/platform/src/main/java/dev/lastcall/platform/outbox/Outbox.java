package dev.lastcall.platform.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.platform.context.RequestContext;
import dev.lastcall.platform.context.TraceParent;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Publishes events inside a caller's transaction and hands them to their consumers. */
@Singleton
public final class Outbox {

    private static final String INSERT_EVENT =
            "INSERT INTO outbox_events (event_id, type, payload, traceparent) VALUES (?, ?, ?::jsonb, ?) RETURNING id";
    private static final String INSERT_PENDING = "INSERT INTO outbox_pending (consumer, event) VALUES (?, ?)";
    private static final String TAKE = """
            WITH taken AS (
                DELETE FROM outbox_pending
                WHERE (consumer, event) IN (
                    SELECT consumer, event FROM outbox_pending
                    WHERE consumer = ?
                    ORDER BY event
                    LIMIT ?
                    FOR UPDATE SKIP LOCKED)
                RETURNING event)
            SELECT e.event_id, e.type, e.payload::text, e.created_at, e.traceparent
            FROM outbox_events e JOIN taken t ON t.event = e.id
            ORDER BY e.id""";

    private final ObjectMapper mapper;
    private final List<String> consumers;

    @Inject
    Outbox(ObjectMapper mapper, @OutboxConsumerNames Set<String> consumers) {
        this.mapper = mapper;
        this.consumers = consumers.stream().sorted().toList();
    }

    /**
     * Writes an event in the caller's transaction: it exists if and only if that transaction
     * commits. Published for a request that came with a trace, the event keeps the request's span
     * ({@link RequestContext#current}), so its consumers can continue the trace.
     *
     * @return the event's id, stable for every consumer and every retry
     */
    public UUID publish(Connection transaction, String type, Object payload) throws SQLException {
        UUID id = UUID.randomUUID();
        long row;
        try (PreparedStatement insert = transaction.prepareStatement(INSERT_EVENT)) {
            insert.setObject(1, id);
            insert.setString(2, type);
            insert.setString(3, json(payload));
            insert.setString(4, RequestContext.current().flatMap(RequestContext::span).map(TraceParent::header).orElse(null));
            try (ResultSet keys = insert.executeQuery()) {
                keys.next();
                row = keys.getLong(1);
            }
        }
        if (!consumers.isEmpty()) {
            try (PreparedStatement pending = transaction.prepareStatement(INSERT_PENDING)) {
                for (String consumer : consumers) {
                    pending.setString(1, consumer);
                    pending.setLong(2, row);
                    pending.addBatch();
                }
                pending.executeBatch();
            }
        }
        return id;
    }

    /**
     * Takes up to {@code limit} events for {@code consumer}, oldest first, skipping those another
     * transaction holds. They are gone for this consumer once the caller's transaction commits, and
     * back if it rolls back: do the consumer's own bookkeeping in the same transaction.
     */
    public List<OutboxEvent> take(Connection transaction, String consumer, int limit) throws SQLException {
        List<OutboxEvent> events = new ArrayList<>();
        try (PreparedStatement take = transaction.prepareStatement(TAKE)) {
            take.setString(1, consumer);
            take.setInt(2, limit);
            try (ResultSet rows = take.executeQuery()) {
                while (rows.next()) {
                    events.add(new OutboxEvent(rows.getObject(1, UUID.class), rows.getString(2),
                            mapper.readTree(rows.getString(3)),
                            rows.getObject(4, java.time.OffsetDateTime.class).toInstant(),
                            Optional.ofNullable(rows.getString(5)).flatMap(TraceParent::parse)));
                }
            } catch (JsonProcessingException e) {
                throw new SQLException("outbox payload is not JSON", e);
            }
        }
        return events;
    }

    private String json(Object payload) throws SQLException {
        try {
            return mapper.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new SQLException("outbox payload cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
