package dev.lastcall.webhooks;

import dev.lastcall.platform.context.TraceParent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** The SQL behind fan-out and delivery; every method runs in the caller's transaction. */
final class Deliveries {

    private static final String SUBSCRIBED_TYPES = """
            SELECT DISTINCT unnest(event_types) FROM webhook_subscriptions WHERE status = 'active'""";
    /** Numbered in the events' order (they are claimed, and sent, in no guaranteed order). */
    private static final String FAN_OUT = """
            INSERT INTO webhook_deliveries (subscription_id, event_id, event_type, body, traceparent)
            SELECT s.id, e.event_id, e.type, e.body, e.traceparent
            FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS e(event_id, type, body, traceparent, position)
            JOIN webhook_subscriptions s ON s.status = 'active' AND e.type = ANY (s.event_types)
            ORDER BY e.position, s.id
            ON CONFLICT (subscription_id, event_id) DO NOTHING""";

    // MATERIALIZED: the locking select runs once, so the update touches exactly the rows it locked.
    private static final String CLAIM = """
            WITH due AS MATERIALIZED (
                SELECT d.id FROM webhook_deliveries d
                JOIN webhook_subscriptions s ON s.id = d.subscription_id
                WHERE d.status = 'pending' AND d.next_attempt_at <= now()
                  AND (d.leased_until IS NULL OR d.leased_until < now())
                ORDER BY d.next_attempt_at
                LIMIT ?
                FOR UPDATE OF d SKIP LOCKED)
            UPDATE webhook_deliveries d
            SET leased_until = now() + make_interval(secs => ?), lease_token = ?
            FROM due, webhook_subscriptions s
            WHERE d.id = due.id AND s.id = d.subscription_id
            RETURNING d.id, d.subscription_id, d.event_id, d.body, d.attempts, s.url, s.secret, s.status = 'active',
                d.traceparent""";

    private static final String DELIVERED = """
            UPDATE webhook_deliveries
            SET status = 'delivered', attempts = attempts + 1, last_attempt_at = now(), delivered_at = now(),
                last_status_code = ?, last_error = NULL, leased_until = NULL, lease_token = NULL
            WHERE id = ? AND lease_token = ?""";

    private static final String FAILED = """
            UPDATE webhook_deliveries
            SET status = ?, attempts = attempts + 1, last_attempt_at = now(),
                next_attempt_at = now() + make_interval(secs => ?),
                last_status_code = ?, last_error = ?, leased_until = NULL, lease_token = NULL
            WHERE id = ? AND lease_token = ?""";

    private static final String DISABLE_SUBSCRIPTION = """
            UPDATE webhook_subscriptions SET status = 'disabled', disabled_at = now()
            WHERE id = ? AND status = 'active'""";

    // Deliveries another attempt holds right now are left to that attempt's outcome (or to the next claim).
    private static final String FAIL_PENDING = """
            UPDATE webhook_deliveries
            SET status = 'failed', last_error = ?, leased_until = NULL, lease_token = NULL
            WHERE subscription_id = ? AND status = 'pending' AND (leased_until IS NULL OR leased_until < now())""";

    private static final String NOT_SENT = """
            UPDATE webhook_deliveries
            SET status = 'failed', last_error = ?, leased_until = NULL, lease_token = NULL
            WHERE id = ? AND lease_token = ?""";

    static final String DISABLED = "not sent: the subscription was disabled after its receiver answered 410 Gone";

    private Deliveries() {}

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    /** The event types some active subscription asked for. */
    static Set<String> subscribedTypes(Connection tx) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement(SUBSCRIBED_TYPES); ResultSet rows = select.executeQuery()) {
            Set<String> types = new HashSet<>();
            while (rows.next()) {
                types.add(rows.getString(1));
            }
            return types;
        }
    }

    /** An event to fan out, with the body every attempt sends and the span of the request that published it. */
    record Event(UUID id, String type, String body, Optional<TraceParent> trace) {}

    /**
     * One pending delivery per event and active subscription to its type, in one statement; none
     * twice for one event. Each keeps its event's trace.
     */
    static int fanOut(Connection tx, List<Event> events) throws SQLException {
        if (events.isEmpty()) {
            return 0;
        }
        try (PreparedStatement insert = tx.prepareStatement(FAN_OUT)) {
            insert.setArray(1, tx.createArrayOf("uuid", events.stream().map(Event::id).toArray()));
            insert.setArray(2, tx.createArrayOf("text", events.stream().map(Event::type).toArray()));
            insert.setArray(3, tx.createArrayOf("text", events.stream().map(Event::body).toArray()));
            insert.setArray(4, tx.createArrayOf("text",
                    events.stream().map(e -> e.trace().map(TraceParent::header).orElse(null)).toArray()));
            return insert.executeUpdate();
        }
    }

    /**
     * Leases up to {@code limit} due deliveries, skipping those others hold. Deliveries of disabled
     * subscriptions are claimed too, to be marked failed.
     */
    static List<ClaimedDelivery> claim(Connection tx, int limit, Duration lease, UUID token) throws SQLException {
        try (PreparedStatement claim = tx.prepareStatement(CLAIM)) {
            claim.setInt(1, limit);
            claim.setDouble(2, seconds(lease));
            claim.setObject(3, token);
            try (ResultSet rows = claim.executeQuery()) {
                List<ClaimedDelivery> claimed = new ArrayList<>();
                while (rows.next()) {
                    claimed.add(new ClaimedDelivery(rows.getLong(1), rows.getObject(2, UUID.class),
                            rows.getObject(3, UUID.class), rows.getString(4), rows.getInt(5), rows.getString(6),
                            rows.getString(7), rows.getBoolean(8), token,
                            Optional.ofNullable(rows.getString(9)).flatMap(TraceParent::parse)));
                }
                return claimed;
            }
        }
    }

    /** False when the lease was lost meanwhile (another process holds the delivery now). */
    static boolean delivered(Connection tx, ClaimedDelivery delivery, int statusCode) throws SQLException {
        try (PreparedStatement update = tx.prepareStatement(DELIVERED)) {
            update.setInt(1, statusCode);
            update.setLong(2, delivery.id());
            update.setObject(3, delivery.leaseToken());
            return update.executeUpdate() == 1;
        }
    }

    /**
     * Records a failed attempt: pending again after {@code retryIn}, or {@code failed} for good when
     * there is no retry.
     */
    static boolean failed(Connection tx, ClaimedDelivery delivery, @Nullable Integer statusCode, String error,
            @Nullable Duration retryIn) throws SQLException {
        try (PreparedStatement update = tx.prepareStatement(FAILED)) {
            update.setString(1, retryIn == null ? "failed" : "pending");
            update.setDouble(2, retryIn == null ? 0 : seconds(retryIn));
            if (statusCode == null) {
                update.setNull(3, Types.INTEGER);
            } else {
                update.setInt(3, statusCode);
            }
            update.setString(4, error);
            update.setLong(5, delivery.id());
            update.setObject(6, delivery.leaseToken());
            return update.executeUpdate() == 1;
        }
    }

    /**
     * The receiver answered 410: records the attempt, disables the subscription and fails its other
     * pending deliveries. False when the lease was lost meanwhile.
     */
    static boolean gone(Connection tx, ClaimedDelivery delivery) throws SQLException {
        if (!failed(tx, delivery, 410, "410 Gone: the receiver asked for no more deliveries", null)) {
            return false;
        }
        try (PreparedStatement disable = tx.prepareStatement(DISABLE_SUBSCRIPTION)) {
            disable.setObject(1, delivery.subscriptionId());
            disable.executeUpdate();
        }
        try (PreparedStatement fail = tx.prepareStatement(FAIL_PENDING)) {
            fail.setString(1, DISABLED);
            fail.setObject(2, delivery.subscriptionId());
            fail.executeUpdate();
        }
        return true;
    }

    /** Marks a claimed delivery of a disabled subscription failed without an attempt. */
    static boolean notSent(Connection tx, ClaimedDelivery delivery, String reason) throws SQLException {
        try (PreparedStatement update = tx.prepareStatement(NOT_SENT)) {
            update.setString(1, reason);
            update.setLong(2, delivery.id());
            update.setObject(3, delivery.leaseToken());
            return update.executeUpdate() == 1;
        }
    }
}
