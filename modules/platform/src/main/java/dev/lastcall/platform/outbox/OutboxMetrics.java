package dev.lastcall.platform.outbox;

import dev.lastcall.platform.database.DatabaseSample;
import dev.lastcall.platform.database.Transactions;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * How far each consumer lags behind the outbox: its pending events and the age of the oldest, read
 * from PostgreSQL at most once a second ({@link DatabaseSample}), NaN when the database does not answer.
 */
public final class OutboxMetrics {

    private static final String PENDING = """
            SELECT p.consumer, count(*), extract(epoch FROM now() - min(e.created_at))
            FROM outbox_pending p JOIN outbox_events e ON e.id = p.event
            GROUP BY p.consumer""";

    private final Set<String> consumers;

    @Inject
    OutboxMetrics(Transactions transactions, MeterRegistry registry, @OutboxConsumerNames Set<String> consumers) {
        this.consumers = Set.copyOf(consumers);
        DatabaseSample sample = new DatabaseSample("outbox-metrics", transactions, this::read);
        for (String consumer : consumers) {
            Gauge.builder("lastcall.outbox.pending", sample, s -> s.value(pendingKey(consumer)))
                    .description("Outbox events the consumer has not taken yet")
                    .tag("consumer", consumer)
                    .strongReference(true)
                    .register(registry);
            TimeGauge.builder("lastcall.outbox.oldest.age", sample, TimeUnit.SECONDS, s -> s.value(ageKey(consumer)))
                    .description("How long the oldest event the consumer has not taken has waited (0 when none)")
                    .tag("consumer", consumer)
                    .strongReference(true)
                    .register(registry);
        }
    }

    private Map<String, Double> read(Connection connection) throws SQLException {
        Map<String, Double> values = new HashMap<>();
        for (String consumer : consumers) {
            values.put(pendingKey(consumer), 0.0);
            values.put(ageKey(consumer), 0.0);
        }
        try (PreparedStatement select = connection.prepareStatement(PENDING);
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                values.put(pendingKey(rows.getString(1)), (double) rows.getLong(2));
                values.put(ageKey(rows.getString(1)), Math.max(0, rows.getDouble(3)));
            }
        }
        return values;
    }

    private static String pendingKey(String consumer) {
        return "pending:" + consumer;
    }

    private static String ageKey(String consumer) {
        return "age:" + consumer;
    }
}
