package dev.lastcall.webhooks;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** The SQL behind the subscription API; every method runs in the caller's transaction. */
final class Subscriptions {

    private static final String COLUMNS = "id, url, event_types, status, created_at, disabled_at";

    private Subscriptions() {}

    static CreatedSubscription create(Connection tx, String url, List<String> events, String secret) throws SQLException {
        UUID id = UUID.randomUUID();
        try (PreparedStatement insert = tx.prepareStatement(
                "INSERT INTO webhook_subscriptions (id, url, event_types, secret) VALUES (?, ?, ?, ?) RETURNING created_at")) {
            insert.setObject(1, id);
            insert.setString(2, url);
            insert.setArray(3, tx.createArrayOf("text", events.toArray()));
            insert.setString(4, secret);
            try (ResultSet row = insert.executeQuery()) {
                row.next();
                return new CreatedSubscription(id, url, events, secret, "active", instant(row, "created_at"));
            }
        }
    }

    static List<Subscription> list(Connection tx) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement(
                "SELECT " + COLUMNS + " FROM webhook_subscriptions ORDER BY created_at, id")) {
            try (ResultSet rows = select.executeQuery()) {
                List<Subscription> subscriptions = new ArrayList<>();
                while (rows.next()) {
                    subscriptions.add(subscription(rows));
                }
                return subscriptions;
            }
        }
    }

    static Optional<Subscription> find(Connection tx, UUID id) throws SQLException {
        try (PreparedStatement select = tx.prepareStatement(
                "SELECT " + COLUMNS + " FROM webhook_subscriptions WHERE id = ?")) {
            select.setObject(1, id);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(subscription(rows)) : Optional.empty();
            }
        }
    }

    /** Deletes the subscription and its deliveries; false when there was none. */
    static boolean delete(Connection tx, UUID id) throws SQLException {
        try (PreparedStatement delete = tx.prepareStatement("DELETE FROM webhook_subscriptions WHERE id = ?")) {
            delete.setObject(1, id);
            return delete.executeUpdate() == 1;
        }
    }

    /** The newest deliveries of one subscription, optionally of one status. */
    static List<DeliveryView> deliveries(Connection tx, UUID subscription, @Nullable String status, int limit)
            throws SQLException {
        try (PreparedStatement select = tx.prepareStatement("""
                SELECT event_id, event_type, status, attempts, created_at, next_attempt_at, last_attempt_at,
                       last_status_code, last_error, delivered_at
                FROM webhook_deliveries
                WHERE subscription_id = ? AND (?::text IS NULL OR status = ?::text)
                ORDER BY created_at DESC, id DESC
                LIMIT ?""")) {
            select.setObject(1, subscription);
            select.setString(2, status);
            select.setString(3, status);
            select.setInt(4, limit);
            try (ResultSet rows = select.executeQuery()) {
                List<DeliveryView> deliveries = new ArrayList<>();
                while (rows.next()) {
                    String deliveryStatus = rows.getString("status");
                    deliveries.add(new DeliveryView(
                            rows.getObject("event_id", UUID.class),
                            rows.getString("event_type"),
                            deliveryStatus,
                            rows.getInt("attempts"),
                            instant(rows, "created_at"),
                            deliveryStatus.equals("pending") ? instant(rows, "next_attempt_at") : null,
                            nullableInstant(rows, "last_attempt_at"),
                            rows.getObject("last_status_code", Integer.class),
                            rows.getString("last_error"),
                            nullableInstant(rows, "delivered_at")));
                }
                return deliveries;
            }
        }
    }

    private static Subscription subscription(ResultSet row) throws SQLException {
        Array events = row.getArray("event_types");
        List<String> eventTypes = List.of((String[]) events.getArray());
        events.free();
        return new Subscription(row.getObject("id", UUID.class), row.getString("url"), eventTypes,
                row.getString("status"), instant(row, "created_at"), nullableInstant(row, "disabled_at"));
    }

    private static Instant instant(ResultSet row, String column) throws SQLException {
        return row.getObject(column, OffsetDateTime.class).toInstant();
    }

    private static @Nullable Instant nullableInstant(ResultSet row, String column) throws SQLException {
        OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
