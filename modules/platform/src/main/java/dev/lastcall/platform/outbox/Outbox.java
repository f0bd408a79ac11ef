package dev.lastcall.platform.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lastcall.platform.context.RequestContext;
import dev.lastcall.platform.context.TraceParent;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Publishes events inside a caller's transaction and hands them to their consumers. */
@Singleton
public final class Outbox {

    /** The events in the given order, so their ids (and so every consumer's order) follow it, with one pending row per consumer. */
    private static final String INSERT_EVENTS = """
            WITH events AS (
                INSERT INTO outbox_events (event_id, type, payload, traceparent)
                SELECT e.event_id, ?, e.payload::jsonb, e.traceparent
                FROM unnest(?::uuid[], ?::text[], ?::text[]) WITH ORDINALITY AS e(event_id, payload, traceparent, position)
                ORDER BY e.position
                RETURNING id)
            INSERT INTO outbox_pending (consumer, event)
            SELECT c.consumer, e.id FROM events e CROSS JOIN unnest(?::text[]) AS c(consumer)""";
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
        return publishAll(transaction, type, List.of(Publication.fromThisRequest(payload))).getFirst();
    }

    /**
     * Writes events of one type in the caller's transaction, in the given order, in one statement:
     * what {@link #publish} does for each, for work that gathers several requests' changes.
     *
     * @return the events' ids, in the given order
     */
    public List<UUID> publishAll(Connection transaction, String type, List<Publication> publications) throws SQLException {
        Events events = events(transaction, type, publications);
        try (PreparedStatement insert = transaction.prepareStatement(events.sql())) {
            events.bind(insert, 1);
            insert.executeUpdate();
        }
        return events.ids();
    }

    /**
     * What {@link #publishAll} writes, as a statement to send with the caller's own in one round
     * trip: prepare a statement whose text ends with {@link Events#sql()} and have the events bind
     * their parameters after the caller's.
     */
    public Events events(Connection transaction, String type, List<Publication> publications) throws SQLException {
        UUID[] ids = new UUID[publications.size()];
        String[] payloads = new String[ids.length];
        String[] traceparents = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = UUID.randomUUID();
            payloads[i] = json(publications.get(i).payload());
            traceparents[i] = publications.get(i).traceparent();
        }
        return new Events(List.of(ids), type, transaction.createArrayOf("uuid", ids),
                transaction.createArrayOf("text", payloads), transaction.createArrayOf("text", traceparents),
                transaction.createArrayOf("text", consumers.toArray(String[]::new)));
    }

    /** Events of one type, with their ids, and one pending row per consumer, ready to be inserted. */
    public record Events(List<UUID> ids, String type, Array eventIds, Array payloads, Array traceparents, Array consumers) {

        /** The statement that inserts them. */
        public String sql() {
            return INSERT_EVENTS;
        }

        /** Binds the statement's parameters from index {@code first} on; returns the index after the last. */
        public int bind(PreparedStatement statement, int first) throws SQLException {
            statement.setString(first, type);
            statement.setArray(first + 1, eventIds);
            statement.setArray(first + 2, payloads);
            statement.setArray(first + 3, traceparents);
            statement.setArray(first + 4, consumers);
            return first + 5;
        }
    }

    /** An event's payload and the trace it continues ({@code traceparent}, or null without one). */
    public record Publication(Object payload, @Nullable String traceparent) {

        /** The payload, with the span of the request this thread serves now, if it came with a trace. */
        public static Publication fromThisRequest(Object payload) {
            return new Publication(payload, traceOfThisRequest());
        }

        /** The span of the request this thread serves now as a {@code traceparent}, or null without one. */
        public static @Nullable String traceOfThisRequest() {
            return RequestContext.current().flatMap(RequestContext::span).map(TraceParent::header).orElse(null);
        }
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
