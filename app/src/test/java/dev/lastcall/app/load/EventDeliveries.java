package dev.lastcall.app.load;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/** The last invariant: every outbox event reaches the webhook receiver at least once. */
public final class EventDeliveries {

    private EventDeliveries() {}

    /**
     * Waits up to {@code within} for the receiver to have seen every event in {@code outbox_events};
     * returns how many it has still not seen then (0 when all arrived).
     */
    public static long awaitAllDelivered(Connection db, WebhookReceiver receiver, Duration within)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        long notDelivered;
        try (Statement sql = db.createStatement()) {
            do {
                Set<String> eventIds = new HashSet<>();
                try (ResultSet rows = sql.executeQuery("SELECT event_id::text FROM outbox_events")) {
                    while (rows.next()) {
                        eventIds.add(rows.getString(1));
                    }
                }
                eventIds.removeAll(receiver.ids());
                notDelivered = eventIds.size();
                if (notDelivered > 0) {
                    Thread.sleep(500);
                }
            } while (notDelivered > 0 && System.nanoTime() < deadline);
        }
        return notDelivered;
    }
}
