package dev.lastcall.webhooks;

import dev.lastcall.platform.database.DatabaseSample;
import dev.lastcall.platform.database.Transactions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Webhooks in meters: what each delivery attempt came to, how long attempts take, and, read from
 * PostgreSQL at most once a second, the deliveries pending and the subscriptions disabled.
 */
@Singleton
final class WebhookMetrics {

    /** What became of a claimed delivery, as recorded. */
    enum DeliveryOutcome {
        /** The receiver answered 2xx. */
        DELIVERED,
        /** The attempt failed; the delivery is pending for a later attempt. */
        RETRY,
        /** The attempt failed and was the last one allowed. */
        FAILED,
        /** The receiver answered 410: its subscription is disabled. */
        GONE,
        /** Not sent: the lease would have ended before the attempt could time out. */
        NOT_SENT,
        /** Not sent: the subscription was disabled; the delivery failed. */
        DISABLED,
        /** Attempted, but the lease was lost before the outcome could be recorded; it is sent again. */
        LEASE_LOST
    }

    private static final String COUNTS = """
            SELECT (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'),
                   (SELECT count(*) FROM webhook_subscriptions WHERE status = 'disabled')""";
    private static final Duration[] ATTEMPT_BUCKETS = {
        Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10)};

    private final Map<DeliveryOutcome, Counter> deliveries = new EnumMap<>(DeliveryOutcome.class);
    private final Map<AttemptResult, Timer> attempts = new EnumMap<>(AttemptResult.class);

    /** An attempt's result, for its duration. */
    enum AttemptResult {
        DELIVERED, FAILED, GONE
    }

    @Inject
    WebhookMetrics(MeterRegistry registry, Transactions transactions) {
        for (DeliveryOutcome outcome : DeliveryOutcome.values()) {
            deliveries.put(outcome, Counter.builder("lastcall.webhooks.deliveries")
                    .description("Claimed deliveries by what became of them")
                    .tag("outcome", lowerCase(outcome))
                    .register(registry));
        }
        for (AttemptResult result : AttemptResult.values()) {
            attempts.put(result, Timer.builder("lastcall.webhooks.attempt.duration")
                    .description("How long a delivery attempt took, from the address check to the response status")
                    .tag("outcome", lowerCase(result))
                    .serviceLevelObjectives(ATTEMPT_BUCKETS)
                    .register(registry));
        }
        DatabaseSample sample = new DatabaseSample("webhook-metrics", transactions, WebhookMetrics::counts);
        Gauge.builder("lastcall.webhooks.deliveries.pending", sample, s -> s.value("pending"))
                .description("Deliveries waiting for an attempt (due now or later)")
                .strongReference(true)
                .register(registry);
        Gauge.builder("lastcall.webhooks.subscriptions.disabled", sample, s -> s.value("disabled"))
                .description("Subscriptions disabled because their receiver answered 410 Gone")
                .strongReference(true)
                .register(registry);
    }

    void delivery(DeliveryOutcome outcome) {
        deliveries.get(outcome).increment();
    }

    void attempt(AttemptResult result, long nanos) {
        attempts.get(result).record(Duration.ofNanos(nanos));
    }

    private static Map<String, Double> counts(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(COUNTS);
                ResultSet row = select.executeQuery()) {
            row.next();
            return Map.of("pending", (double) row.getLong(1), "disabled", (double) row.getLong(2));
        }
    }

    private static String lowerCase(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
